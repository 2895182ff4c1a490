package dagq_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func newPullScheduler(t *testing.T, opts ...dagq.Option) (*dagq.Pull, *dagq.Scheduler) {
	p := dagq.NewPull()
	s := dagq.New(append([]dagq.Option{dagq.WithBackend("pull", p), dagq.WithDefaultBackend("pull")}, opts...)...)
	t.Cleanup(func() { require.NoError(t, s.Shutdown(context.Background())) })
	return p, s
}

func pullFn(context.Context) (int, error) { return 0, errors.New("not run by the loop") }

func TestPullPolicyOrderAndValues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := newPullScheduler(t, dagq.WithPolicy(dagq.ByWeight()))
		q := s.DefaultQueue()
		low := dagq.Submit(q, pullFn, dagq.Name("low"), dagq.Weight(1))
		high := dagq.Submit(q, pullFn, dagq.Name("high"), dagq.Weight(3))
		mid := dagq.Submit(q, pullFn, dagq.Name("mid"), dagq.Weight(2))
		after := dagq.Then(q, high, func(_ context.Context, v int) (int, error) { return v * 10, nil }, dagq.Name("after"), dagq.Weight(5))
		require.NoError(t, s.Start(t.Context()))
		synctest.Wait()
		require.Equal(t, 3, q.Pending(), "tasks wait Queued until the loop asks")
		for range 40 { // many dispatch rounds without a Next call: no reservation
			s.SetParallelism(0)
		}
		var order []string
		for range 4 {
			job, err := p.Next(t.Context())
			require.NoError(t, err)
			order = append(order, job.Name)
			if job.Func != nil && job.Name == "after" {
				v, err := job.Func(t.Context())
				p.Complete(job, v, err)
				continue
			}
			p.Complete(job, len(job.Name), nil)
		}
		require.Equal(t, []string{"high", "after", "mid", "low"}, order)
		require.NoError(t, s.Wait(t.Context()))
		v, err := after.Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, 40, v)
		v, err = low.Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, 3, v)
		require.Equal(t, "pull", mid.Info().Backend)
	})
}

func TestPullFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := newPullScheduler(t)
		q := s.DefaultQueue()
		errBoom := errors.New("boom")
		failed := dagq.Submit(q, pullFn, dagq.Name("failed"))
		wrong := dagq.Submit(q, pullFn, dagq.Name("wrong"))
		require.NoError(t, s.Start(t.Context()))
		job, err := p.Next(t.Context())
		require.NoError(t, err)
		p.Complete(job, nil, errBoom)
		p.Complete(job, 1, nil) // ignored
		job, err = p.Next(t.Context())
		require.NoError(t, err)
		p.Complete(job, "text", nil)
		require.Error(t, s.Wait(t.Context()))
		_, err = failed.Get(t.Context())
		require.ErrorIs(t, err, errBoom)
		_, err = wrong.Get(t.Context())
		require.ErrorContains(t, err, `task "wrong" (id 2) returned a string, its future wants a int`)

		gpu := dagq.Submit(q, pullFn, dagq.Needs(dagq.Resources{GPUs: 1}))
		_, err = gpu.Get(t.Context())
		var se *dagq.SubmitError
		require.ErrorAs(t, err, &se)
		require.Contains(t, err.Error(), "no devices")
	})
}

func TestPullQueueSizeAndPools(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := newPullScheduler(t, dagq.WithResource("licence", 1))
		q, err := s.Queue("gen", 2)
		require.NoError(t, err)
		for range 3 {
			dagq.Submit(q, pullFn)
		}
		dagq.Submit(s.DefaultQueue(), pullFn, dagq.Uses("licence", 1))
		dagq.Submit(s.DefaultQueue(), pullFn, dagq.Uses("licence", 1))
		require.NoError(t, s.Start(t.Context()))
		got := make(chan *dagq.Job, 10)
		for range 6 {
			go func() {
				job, err := p.Next(t.Context())
				if err == nil {
					got <- job
				}
			}()
		}
		synctest.Wait()
		require.Len(t, got, 3, "two of the queue of size 2, one holding the licence")
		require.Equal(t, 1, q.Pending())
		for range 3 {
			p.Complete(<-got, 1, nil)
		}
		synctest.Wait()
		require.Len(t, got, 2, "the rest")
		for range 2 {
			p.Complete(<-got, 1, nil)
		}
		require.NoError(t, s.Wait(t.Context()))
		require.NoError(t, s.Shutdown(t.Context()))
		synctest.Wait() // the last Next calls return ErrClosed
	})
}

func TestPullNextCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := newPullScheduler(t)
		require.NoError(t, s.Start(t.Context()))
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := p.Next(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		f := dagq.Submit(s.DefaultQueue(), pullFn)
		synctest.Wait()
		require.Equal(t, dagq.Queued, f.Status(), "no loop is asking")
		job, err := p.Next(t.Context())
		require.NoError(t, err)
		p.Complete(job, 5, nil)
		v, err := f.Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, 5, v)
	})
}

func TestPullShutdownKillsUncompleted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, s := newPullScheduler(t)
		claimed := dagq.Submit(s.DefaultQueue(), pullFn, dagq.Name("claimed"))
		dependent := dagq.Then(s.DefaultQueue(), claimed, func(_ context.Context, v int) (int, error) { return v, nil })
		require.NoError(t, s.Start(t.Context()))
		job, err := p.Next(t.Context())
		require.NoError(t, err)
		waiting := make(chan error)
		go func() {
			_, err := p.Next(t.Context())
			waiting <- err
		}()
		synctest.Wait()
		require.NoError(t, s.Shutdown(context.Background()))
		require.ErrorIs(t, <-waiting, dagq.ErrClosed)
		require.Equal(t, dagq.Killed, claimed.Status())
		require.Contains(t, claimed.Info().Reason, "never completed")
		require.Equal(t, dagq.Killed, dependent.Status())
		p.Complete(job, 1, nil) // too late: ignored
		_, err = p.Next(t.Context())
		require.ErrorIs(t, err, dagq.ErrClosed)
	})
}

// A Next call that gives up after its job was promised: the job goes back
// to Queued (ErrBackendBusy) rather than failing.
func TestPullPromisedWaiterLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := dagq.NewPull()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() {
			_, err := p.Next(ctx)
			done <- err
		}()
		synctest.Wait()
		job := &dagq.Job{ID: 1}
		require.NoError(t, p.Admit(job))
		require.True(t, p.Acquire(job))
		require.False(t, p.Acquire(&dagq.Job{ID: 2}), "one waiter, one promise")
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		_, err := p.Run(t.Context(), job)
		require.ErrorIs(t, err, dagq.ErrBackendBusy)
		p.Release(job)
		_, err = p.Run(t.Context(), &dagq.Job{})
		require.ErrorContains(t, err, "Run without Acquire")
	})
}

// TestPullContextEndsWithTheTask checks that the context Pull.Context
// makes for a job is cancelled, with the task's cause, when the task
// times out or is cancelled while the worker runs it, so that the worker
// stops; and that one made for a job already settled is cancelled at once.
func TestPullContextEndsWithTheTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := dagq.NewPull()
		s := dagq.New(dagq.WithBackend("pull", p), dagq.WithDefaultBackend("pull"))
		slow := func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, context.Cause(ctx)
		}
		timed := dagq.Submit(s.DefaultQueue(), slow, dagq.Timeout(time.Second))
		cancelled := dagq.Submit(s.DefaultQueue(), slow)
		require.NoError(t, s.Start(t.Context()))
		var causes []error
		var last *dagq.Job
		for range 2 {
			job, err := p.Next(t.Context())
			require.NoError(t, err)
			ctx, cancel := p.Context(t.Context(), job)
			if job.ID == cancelled.ID() {
				s.Cancel(job.ID, "enough")
			}
			<-ctx.Done() // the worker learns the task ended
			causes = append(causes, context.Cause(ctx))
			cancel()
			p.Complete(job, nil, context.Cause(ctx))
			last = job
		}
		require.ErrorIs(t, causes[0], context.DeadlineExceeded)
		require.ErrorIs(t, causes[1], dagq.ErrKilled)
		require.ErrorContains(t, causes[1], "enough")
		require.Equal(t, dagq.Failed, timed.Status())
		require.Equal(t, dagq.Killed, cancelled.Status())
		ctx, cancel := p.Context(t.Context(), last)
		defer cancel()
		require.Error(t, ctx.Err(), "a settled job's context is already cancelled")
		require.NoError(t, s.Shutdown(context.Background()))
	})
}
