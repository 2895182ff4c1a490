package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// slots is a Capacity backend with n numbered slots, running jobs locally.
type slots struct {
	mu    sync.Mutex
	free  []string
	inUse int
	peak  int
}

func newSlots(n int) *slots {
	s := &slots{}
	for i := range n {
		s.free = append(s.free, fmt.Sprint(i))
	}
	return s
}

func (s *slots) Run(ctx context.Context, job *dagq.Job) (any, error) {
	return dagq.Local().Run(ctx, job)
}

func (s *slots) Admit(job *dagq.Job) error {
	if job.Needs.GPUs > 2 {
		return errors.New("needs more slots than exist")
	}
	return nil
}

func (s *slots) Acquire(job *dagq.Job) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := max(job.Needs.GPUs, 1)
	if len(s.free) < n {
		return false
	}
	job.Devices = append([]string(nil), s.free[:n]...)
	s.free = s.free[n:]
	s.inUse += n
	s.peak = max(s.peak, s.inUse)
	return true
}

func (s *slots) Release(job *dagq.Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free = append(s.free, job.Devices...)
	s.inUse -= len(job.Devices)
}

func TestCapacityBackendKeepsTasksQueuedInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newSlots(2)
		c := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithBackend("slots", b), dagq.WithDefaultBackend("slots"), dagq.WithObserver(c))
		q, _ := s.Queue("q", 10, dagq.WithQueuePolicy(dagq.ByWeight()))
		for i := range 6 {
			dagq.Submit(q, func(ctx context.Context) (int, error) {
				if len(dagq.Devices(ctx)) != 1 {
					return 0, errors.New("no device")
				}
				time.Sleep(time.Second)
				return i, nil
			}, dagq.Weight(float64(i)))
		}
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		require.Equal(t, 2, q.Running())
		require.Equal(t, 4, q.Pending(), "surplus tasks wait Queued")
		require.NoError(t, s.Wait(bg))
		require.Equal(t, []dagq.TaskID{6, 5, 4, 3, 2, 1}, c.Started(), "dispatched by weight")
		require.Equal(t, 2, b.peak)
		info, _ := s.Task(1)
		require.Len(t, info.Devices, 1)
		require.Equal(t, "slots", info.Backend)
		tooBig := dagq.Submit(q, value(1), dagq.Needs(dagq.Resources{GPUs: 3}))
		_, err := tooBig.Get(bg)
		require.ErrorContains(t, err, "needs more slots than exist")
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
		require.Equal(t, 7, c.Tasks())
	})
}

func TestLargeRequestIsNotStarved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New(dagq.WithResource("ram", 4))
		q, _ := s.Queue("q", 8)
		small := func(i int) {
			dagq.Submit(q, func(context.Context) (int, error) {
				time.Sleep(time.Duration(1+i%3) * time.Second)
				return 0, nil
			}, dagq.Uses("ram", 1))
		}
		for i := range 4 {
			small(i)
		}
		big := dagq.Submit(q, func(context.Context) (int, error) { return 0, nil }, dagq.Uses("ram", 4))
		// A steady stream of small tasks behind the big one (for 100 s):
		// they fit before it, but must not keep it waiting until the
		// stream ends.
		var fed atomic.Int32
		var feeder sync.WaitGroup
		feeder.Go(func() {
			for i := range 200 {
				time.Sleep(500 * time.Millisecond)
				small(i)
				fed.Add(1)
			}
		})
		require.NoError(t, s.Start(bg))
		_, err := big.Get(bg)
		require.NoError(t, err)
		require.Less(t, fed.Load(), int32(40), "the big task ran while small ones kept coming")
		feeder.Wait()
		require.NoError(t, s.Wait(bg))
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestPoolsAreNotHeadOfLineBlocking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New(dagq.WithResource("ram", 2))
		q, _ := s.Queue("q", 4)
		g := newGate()
		dagq.Submit(q, g.fn, dagq.Uses("ram", 1))
		big := dagq.Submit(q, g.fn, dagq.Uses("ram", 2))
		small := dagq.Submit(q, g.fn, dagq.Uses("ram", 1))
		free := dagq.Submit(q, g.fn)
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		require.Equal(t, dagq.Queued, big.Status(), "does not fit")
		require.Equal(t, dagq.Running, small.Status(), "fits behind the big one")
		require.Equal(t, dagq.Running, free.Status())
		close(g.release)
		require.NoError(t, s.Wait(bg))
		require.NoError(t, s.Shutdown(bg))
	})
}

// busyBackend refuses the first n jobs with ErrBackendBusy.
type busyBackend struct{ refusals atomic.Int32 }

func (b *busyBackend) Run(ctx context.Context, job *dagq.Job) (any, error) {
	if b.refusals.Add(-1) >= 0 {
		return nil, dagq.ErrBackendBusy
	}
	return dagq.Local().Run(ctx, job)
}

func TestBackendBusyRequeues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &busyBackend{}
		b.refusals.Store(3)
		c := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithBackend("busy", b), dagq.WithObserver(c))
		// The attempt that runs has a live context, not one of a refusal.
		f := dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) { return 5, ctx.Err() }, dagq.OnBackend("busy"))
		require.NoError(t, s.Run(bg))
		v, err := f.Get(bg)
		require.NoError(t, err)
		require.Equal(t, 5, v)
		require.Equal(t, 1, f.Info().Attempts, "refusals are not attempts")
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
		require.Equal(t, 1, c.Tasks())
	})
}

// typedBackend returns a fixed value whatever the job.
type typedBackend struct{ v any }

func (b typedBackend) Run(context.Context, *dagq.Job) (any, error) { return b.v, nil }

func TestBackendValueMustMatchFutureType(t *testing.T) {
	s := dagq.New(dagq.WithBackend("str", typedBackend{"text"}))
	defer s.Shutdown(bg)
	ok := dagq.Submit(s.DefaultQueue(), value("x"), dagq.OnBackend("str"))
	bad := dagq.Submit(s.DefaultQueue(), value(1), dagq.OnBackend("str"))
	require.Error(t, s.Run(bg))
	v, err := ok.Get(bg)
	require.NoError(t, err)
	require.Equal(t, "text", v)
	_, err = bad.Get(bg)
	require.ErrorContains(t, err, "returned a string, its future wants a int")
}

func TestLocalRunsJobFunc(t *testing.T) {
	v, err := dagq.Local().Run(bg, &dagq.Job{Func: func(context.Context) (any, error) { return 1, nil }})
	require.NoError(t, err)
	require.Equal(t, 1, v)
	_, err = dagq.Local().Run(bg, &dagq.Job{Func: func(context.Context) (any, error) { panic("p") }})
	var pe *dagq.PanicError
	require.ErrorAs(t, err, &pe)
	_, err = dagq.Local().Run(bg, &dagq.Job{Cmd: []string{"true"}})
	require.ErrorContains(t, err, "no function")
}

// slowStart is a backend that takes two seconds to begin a job, which it
// reports with Began, then runs it for one.
type slowStart struct{}

func (slowStart) Run(ctx context.Context, job *dagq.Job) (any, error) {
	time.Sleep(2 * time.Second)
	job.Began()
	time.Sleep(time.Second)
	job.Began() // only the first call counts
	return dagq.Local().Run(ctx, job)
}

// TaskInfo.Started is when the backend began the job (Job.Began), not
// when the scheduler handed it over; the TaskStarted event carries the
// dispatch time, for backends that begin at once.
func TestStartedIsWhenTheBackendBegan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var startedEvent dagq.TaskInfo
		s := dagq.New(dagq.WithBackend("slow", slowStart{}), dagq.WithObserver(dagq.ObserverFunc(func(e dagq.Event) {
			if e.Kind == dagq.TaskStarted {
				startedEvent = e.Task
			}
		})))
		slow := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 1, nil }, dagq.OnBackend("slow"))
		local := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { time.Sleep(time.Second); return 1, nil })
		require.NoError(t, s.Run(t.Context()))
		require.NoError(t, s.Shutdown(t.Context()))
		i := slow.Info()
		require.Equal(t, 2*time.Second, i.Started.Sub(i.Dispatched))
		require.Equal(t, time.Second, i.Duration())
		require.Equal(t, 2*time.Second, i.Wait())
		l := local.Info()
		require.Equal(t, l.Dispatched, l.Started, "Local begins at once")
		require.Equal(t, startedEvent.Dispatched, startedEvent.Started)
		(&dagq.Job{}).Began() // a Job the scheduler did not make: nothing happens
	})
}

func TestExecStartedWhenTheProcessStarted(t *testing.T) {
	s := dagq.New()
	f := dagq.Command(s.DefaultQueue(), []string{"true"})
	require.NoError(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
	i := f.Info()
	require.False(t, i.Started.Before(i.Dispatched))
	require.True(t, i.Started.After(i.Dispatched), "starting a process takes time")
	require.False(t, i.Finished.Before(i.Started))
}
