package dagq_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// A task whose attempt fails while Shutdown waits for it must not go back
// to Queued for a retry that never comes: it is killed, and Shutdown
// leaves nothing pending. (Found by TestChaos.)
func TestShutdownDoesNotRequeueARetry(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error // of the task's body
		opts []dagq.TaskOption
	}{
		{"retry", errors.New("flaky"), []dagq.TaskOption{dagq.Retry(3, 0)}},
		{"backend busy", nil, []dagq.TaskOption{dagq.OnBackend("busy")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := dagqtest.NewChecker(dagqtest.Limits{})
				release := make(chan struct{})
				busy := refusingBackend(release)
				s := dagq.New(dagq.WithObserver(c), dagq.WithBackend("busy", busy))
				f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
					<-release
					return 0, tc.err
				}, tc.opts...)
				next := dagq.Then(s.DefaultQueue(), f, func(_ context.Context, v int) (int, error) { return v, nil })
				require.NoError(t, s.Start(bg))
				synctest.Wait()
				done := make(chan error)
				go func() { done <- s.Shutdown(bg) }()
				synctest.Wait() // Shutdown waits for the running attempt
				close(release)
				require.NoError(t, <-done)
				require.Equal(t, dagq.Killed, f.Status())
				require.Equal(t, "shutdown: killed while queued", f.Info().Reason)
				require.Equal(t, dagq.Killed, next.Status())
				require.Zero(t, s.Stats().Pending())
				c.Verify(t)
			})
		})
	}
}

// refusingBackend holds each job until release is closed, then refuses it
// with ErrBackendBusy.
type refusingBackend chan struct{}

func (b refusingBackend) Run(context.Context, *dagq.Job) (any, error) {
	<-b
	return nil, dagq.ErrBackendBusy
}

// blocker is a task body that runs until its context ends.
func blocker(ctx context.Context) (int, error) {
	<-ctx.Done()
	return 0, context.Cause(ctx)
}

// busyScheduler returns a started scheduler with running, queued and
// blocked tasks, an observer and a subscription that is never read (and
// the function that ends it).
func busyScheduler(t *testing.T, ctx context.Context) (*dagq.Scheduler, func()) {
	t.Helper()
	s := dagq.New(dagq.WithObserver(dagq.ObserverFunc(func(dagq.Event) {})), dagq.WithParallelism(3))
	q, err := s.Queue("q", 2)
	require.NoError(t, err)
	var fs []*dagq.Future[int]
	for i := range 20 {
		var deps []dagq.Dep
		if i >= 4 {
			deps = append(deps, fs[i-4])
		}
		fs = append(fs, dagq.Submit(q, blocker, dagq.After(deps...)))
	}
	dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
		time.Sleep(time.Minute) // ignores its context
		return 0, nil
	})
	_, unsubscribe := s.Subscribe(0)
	require.NoError(t, s.Start(ctx))
	synctest.Wait()
	require.Equal(t, 3, s.Stats().Running)
	return s, unsubscribe
}

func TestShutdownLeavesNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		before := goleak.IgnoreCurrent()
		s, _ := busyScheduler(t, bg)
		// The subscription is never read: Shutdown abandons it when ctx ends.
		ctx, cancel := context.WithTimeout(bg, time.Second)
		defer cancel()
		require.ErrorIs(t, s.Shutdown(ctx), context.DeadlineExceeded)
		require.Zero(t, s.Stats().Pending())
		time.Sleep(time.Minute) // the task that ignores its context ends
		synctest.Wait()
		goleak.VerifyNone(t, before)
	})
}

func TestContextCancelLeavesNoGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		before := goleak.IgnoreCurrent()
		ctx, cancel := context.WithCancel(bg)
		s, unsubscribe := busyScheduler(t, ctx)
		cancel()
		require.Error(t, s.Wait(bg))
		require.Zero(t, s.Stats().Pending())
		time.Sleep(time.Minute) // the task that ignores its context ends
		synctest.Wait()
		// Without Shutdown, once the tasks returned nothing of the
		// scheduler runs but the delivery to the unread subscription,
		// which ends with it.
		unsubscribe()
		goleak.VerifyNone(t, before)
		require.NoError(t, s.Shutdown(bg))
	})
}

// Two starving tasks must not each reserve what the other waits for: M
// reserves the device backend while N reserves the pool, and neither
// could ever start. (Found by TestChaos.)
func TestStarvationReservationsDoNotDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New(dagq.WithResource("mem", 2), dagq.WithBackend("dev", newSlots(2)))
		q, _ := s.Queue("q", 8)
		g := newGate()
		dagq.Submit(q, g.fn, dagq.Uses("mem", 1))
		dagq.Submit(q, g.fn, dagq.OnBackend("dev"), dagq.Needs(dagq.Resources{GPUs: 1}))
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		m := dagq.Submit(q, value(1), dagq.Uses("mem", 1), dagq.OnBackend("dev"), dagq.Needs(dagq.Resources{GPUs: 2}))
		n := dagq.Submit(q, value(2), dagq.Uses("mem", 2), dagq.OnBackend("dev"), dagq.Needs(dagq.Resources{GPUs: 1}))
		for range 20 { // each submission passes over m (no device) and n (no memory)
			dagq.Submit(q, value(0))
		}
		synctest.Wait()
		close(g.release)
		ctx, cancel := context.WithTimeout(bg, time.Hour)
		defer cancel()
		require.NoError(t, s.Wait(ctx))
		require.Equal(t, dagq.Succeeded, m.Status())
		require.Equal(t, dagq.Succeeded, n.Status())
		require.NoError(t, s.Shutdown(bg))
	})
}

// A task that reserved a pool starts as soon as the pool frees, even when
// more than a dispatch round looks past became ready ahead of it, all
// waiting for its reservation. (Found by TestChaos.)
func TestReservingTaskStartsBehindManyWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"q": 8}})
		s := dagq.New(dagq.WithResource("mem", 2), dagq.WithObserver(c))
		q, _ := s.Queue("q", 8)
		gate, hold := newGate(), newGate()
		first := dagq.Submit(q, gate.fn)
		var ahead []*dagq.Future[int]
		for range 100 { // ready once first succeeds, ahead of big in FIFO order
			ahead = append(ahead, dagq.Submit(q, value(0), dagq.Uses("mem", 1), dagq.After(first)))
		}
		dagq.Submit(q, hold.fn, dagq.Uses("mem", 1))
		big := dagq.Submit(q, value(2), dagq.Uses("mem", 2))
		require.NoError(t, s.Start(bg))
		for range 20 { // each submission passes big over: it reserves the pool
			dagq.Submit(q, value(0))
		}
		synctest.Wait()
		close(gate.release)
		synctest.Wait()
		close(hold.release)
		ctx, cancel := context.WithTimeout(bg, time.Hour)
		defer cancel()
		require.NoError(t, s.Wait(ctx))
		require.Equal(t, dagq.Succeeded, big.Status())
		started := c.Started()
		require.Less(t, slices.Index(started, big.ID()), slices.Index(started, ahead[0].ID()), "the reserving task went first")
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
	})
}
