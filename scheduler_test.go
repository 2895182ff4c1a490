package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

var bg = context.Background()

// value returns a task function that returns v.
func value[T any](v T) func(context.Context) (T, error) {
	return func(context.Context) (T, error) { return v, nil }
}

// newChecked returns a scheduler with a checker attached, and a queue.
func newChecked(t *testing.T, size int, opts ...dagq.Option) (*dagq.Scheduler, *dagq.Queue, *dagqtest.Checker) {
	t.Helper()
	c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"q": size}})
	s := dagq.New(append(opts, dagq.WithObserver(c))...)
	t.Cleanup(func() { require.NoError(t, s.Shutdown(bg)) })
	q, err := s.Queue("q", size)
	require.NoError(t, err)
	return s, q, c
}

func TestDiamond(t *testing.T) {
	s, q, c := newChecked(t, 1)
	var mu sync.Mutex
	var order []string
	step := func(name string) func(context.Context) (int, error) {
		return func(context.Context) (int, error) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return len(name), nil
		}
	}
	a := dagq.Submit(q, step("a"), dagq.Name("a"))
	b := dagq.Then(q, a, func(ctx context.Context, v int) (int, error) { return step("bb")(ctx) })
	cc := dagq.Then(q, a, func(ctx context.Context, v int) (int, error) { return step("ccc")(ctx) })
	d := dagq.Then2(q, b, cc, func(_ context.Context, x, y int) (int, error) { return x + y, nil })
	require.NoError(t, s.Run(bg))
	v, err := d.Get(bg)
	require.NoError(t, err)
	require.Equal(t, 5, v)
	require.Equal(t, []string{"a", "bb", "ccc"}, order)
	require.Equal(t, []dagq.TaskID{a.ID(), b.ID(), cc.ID(), d.ID()}, c.Started())
	c.Verify(t)
	require.Equal(t, 4, c.Tasks())
	require.Equal(t, []dagq.TaskID{b.ID(), cc.ID()}, d.Info().Deps)
}

func TestRandomDAGRespectsDependenciesAndSizes(t *testing.T) {
	const n = 10_000
	sizes := map[string]int{"one": 1, "two": 2, "four": 4}
	c := dagqtest.NewChecker(dagqtest.Limits{Queues: sizes})
	s := dagq.New(dagq.WithObserver(c))
	defer s.Shutdown(bg)
	var queues []*dagq.Queue
	for _, name := range []string{"one", "two", "four"} {
		q, err := s.Queue(name, sizes[name])
		require.NoError(t, err)
		queues = append(queues, q)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	futs := make([]*dagq.Future[int], 0, n)
	var ran atomic.Int64
	for i := range n {
		var deps []dagq.Dep
		for range rng.IntN(4) {
			if i > 0 {
				deps = append(deps, futs[rng.IntN(i)])
			}
		}
		futs = append(futs, dagq.Submit(queues[rng.IntN(3)], func(context.Context) (int, error) {
			ran.Add(1)
			return i, nil
		}, dagq.After(deps...)))
	}
	require.NoError(t, s.Run(bg))
	require.Equal(t, int64(n), ran.Load())
	c.Verify(t)
	require.Equal(t, n, c.Tasks())
	require.Equal(t, 4, c.MaxRunning("four"), "the largest queue should fill up")
	st := s.Stats()
	require.Equal(t, n, st.Succeeded)
	require.Equal(t, n, st.Queues["one"].Submitted+st.Queues["two"].Submitted+st.Queues["four"].Submitted)
}

// gate is a task body that blocks until released or cancelled, counting
// how many run at once.
type gate struct {
	release chan struct{}
	now     atomic.Int64
	peak    atomic.Int64
	ran     atomic.Int64
}

func newGate() *gate { return &gate{release: make(chan struct{})} }

func (g *gate) fn(ctx context.Context) (int, error) {
	n := g.now.Add(1)
	defer g.now.Add(-1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	g.ran.Add(1)
	select {
	case <-g.release:
		return 1, nil
	case <-ctx.Done():
		return 0, context.Cause(ctx)
	}
}

func TestGlobalCapChangesWhileRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New(dagq.WithParallelism(2))
		a, _ := s.Queue("a", 4)
		b, _ := s.Queue("b", 4)
		g := newGate()
		for i := range 20 {
			dagq.Submit([]*dagq.Queue{a, b}[i%2], g.fn)
		}
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		require.Equal(t, int64(2), g.now.Load())
		s.SetParallelism(5)
		synctest.Wait()
		require.Equal(t, int64(5), g.now.Load())
		s.SetParallelism(0) // no global cap: the queues' sizes bound it
		synctest.Wait()
		require.Equal(t, int64(8), g.now.Load())
		close(g.release)
		require.NoError(t, s.Wait(bg))
		require.Equal(t, int64(20), g.ran.Load())
		require.Equal(t, int64(8), g.peak.Load())
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestQueueSetSize(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		q, _ := s.Queue("q", 1)
		g := newGate()
		for range 10 {
			dagq.Submit(q, g.fn)
		}
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		require.Equal(t, 1, q.Running())
		require.Equal(t, 9, q.Pending())
		require.Error(t, q.SetSize(0))
		require.NoError(t, q.SetSize(3))
		synctest.Wait()
		require.Equal(t, 3, q.Running())
		require.Equal(t, 3, q.Size())
		close(g.release)
		require.NoError(t, s.Wait(bg))
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestPauseResumeLosesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		q, _ := s.Queue("q", 2)
		var runs [10]atomic.Int32
		step := func(i int) func(context.Context) (int, error) {
			return func(context.Context) (int, error) {
				runs[i].Add(1)
				time.Sleep(time.Second)
				return i, nil
			}
		}
		for i := range 5 {
			dagq.Submit(q, step(i))
		}
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		s.Pause()
		for i := 5; i < 10; i++ {
			dagq.Submit(q, step(i)) // accepted while paused
		}
		time.Sleep(time.Second) // the two running tasks finish
		synctest.Wait()
		st := s.Stats()
		require.Equal(t, 2, st.Succeeded)
		require.Equal(t, 0, st.Running, "nothing starts while paused")
		require.Equal(t, 8, st.Queued)
		s.Resume()
		require.NoError(t, s.Wait(bg))
		for i := range runs {
			require.Equal(t, int32(1), runs[i].Load(), "task %d", i)
		}
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestSubmitWhileRunning(t *testing.T) {
	s, q, c := newChecked(t, 2)
	require.NoError(t, s.Start(bg))
	first := dagq.Submit(q, value(1))
	_, err := first.Get(bg)
	require.NoError(t, err)
	var fs []*dagq.Future[int]
	for i := range 100 {
		fs = append(fs, dagq.Then(q, first, func(_ context.Context, v int) (int, error) { return v + i, nil }))
	}
	sum := dagq.Join(q, fs, func(_ context.Context, vs []int) (int, error) {
		t := 0
		for _, v := range vs {
			t += v
		}
		return t, nil
	})
	v, err := sum.Get(bg)
	require.NoError(t, err)
	require.Equal(t, 100+99*100/2, v)
	require.NoError(t, s.Wait(bg))
	c.Verify(t)
	require.Equal(t, 102, c.Tasks())
}

func TestCancelKillsDependentsTransitively(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithObserver(c))
		q := s.DefaultQueue()
		g := newGate()
		a := dagq.Submit(q, g.fn, dagq.Name("fetch-7"))
		b := dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("b"))
		cc := dagq.Then(q, b, func(_ context.Context, v int) (int, error) { return v, nil })
		d := dagq.Submit(q, value(0), dagq.After(b), dagq.Trigger(dagq.AllDone))
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		require.Equal(t, dagq.Running, a.Status())
		s.Cancel(a.ID(), "operator said so")
		// Immediately: every dependent is killed, with a reason naming a.
		for _, f := range []*dagq.Future[int]{a, b, cc} {
			require.Equal(t, dagq.Killed, f.Status())
		}
		require.Equal(t, "cancelled: operator said so", a.Info().Reason)
		want := fmt.Sprintf(`dependency "fetch-7" (id %d) killed: cancelled: operator said so`, a.ID())
		require.Equal(t, want, b.Info().Reason)
		require.Equal(t, want, cc.Info().Reason)
		_, err := cc.Get(bg)
		var te *dagq.TaskError
		require.ErrorAs(t, err, &te)
		require.ErrorIs(t, err, dagq.ErrKilled)
		require.Equal(t, cc.ID(), te.ID)
		// AllDone still runs after its killed dependency.
		_, err = d.Get(bg)
		require.NoError(t, err)
		err = s.Wait(bg)
		require.ErrorIs(t, err, dagq.ErrKilled)
		require.Equal(t, 3, s.Stats().Killed)
		c.Verify(t)
		require.Equal(t, 4, c.Tasks())
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestFailureKillsDependentsWithReason(t *testing.T) {
	s, q, c := newChecked(t, 2)
	boom := errors.New("boom")
	a := dagq.Submit(q, func(context.Context) (int, error) { return 0, boom }, dagq.Name("fetch-7"))
	b := dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v, nil })
	ok := dagq.Submit(q, value(2))
	err := s.Run(bg)
	var re *dagq.RunError
	require.ErrorAs(t, err, &re)
	require.ErrorIs(t, err, boom)
	require.Equal(t, 1, re.Failed)
	require.Equal(t, 1, re.Killed)
	require.Equal(t, 3, re.Tasks)
	require.Equal(t, fmt.Sprintf(`dependency "fetch-7" (id %d) failed: boom`, a.ID()), b.Info().Reason)
	_, err = a.Get(bg)
	require.ErrorIs(t, err, boom)
	v, err := ok.Get(bg)
	require.NoError(t, err)
	require.Equal(t, 2, v)
	// A task submitted on a failed future is killed at once.
	late := dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v, nil })
	require.Equal(t, dagq.Killed, late.Status())
	require.Contains(t, late.Info().Reason, "fetch-7")
	require.Error(t, s.Wait(bg))
	c.Verify(t)
	require.Equal(t, 4, c.Tasks())
}

func TestPanicFailsTaskOnly(t *testing.T) {
	s, q, _ := newChecked(t, 1)
	p := dagq.Submit(q, func(context.Context) (int, error) { panic("kaboom") })
	ok := dagq.Submit(q, value(7))
	require.Error(t, s.Run(bg))
	_, err := p.Get(bg)
	var pe *dagq.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "kaboom", pe.Value)
	require.Contains(t, string(pe.Stack), "scheduler_test.go")
	v, err := ok.Get(bg)
	require.NoError(t, err)
	require.Equal(t, 7, v)
}

func TestPanicWithErrorUnwraps(t *testing.T) {
	s, q, _ := newChecked(t, 1)
	sentinel := errors.New("sentinel")
	p := dagq.Submit(q, func(context.Context) (int, error) { panic(sentinel) })
	require.ErrorIs(t, s.Run(bg), sentinel)
	_, err := p.Get(bg)
	require.ErrorIs(t, err, sentinel)
}

func TestShutdownKillsWithReasons(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithObserver(c))
		q, _ := s.Queue("q", 1)
		g := newGate()
		running := dagq.Submit(q, g.fn)
		queued := dagq.Submit(q, value(1))
		blocked := dagq.Then(q, queued, func(_ context.Context, v int) (int, error) { return v, nil })
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		ctx, cancel := context.WithTimeout(bg, time.Minute)
		defer cancel()
		err := s.Shutdown(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, "shutdown: killed while queued", queued.Info().Reason)
		require.Equal(t, "shutdown: killed while blocked", blocked.Info().Reason)
		require.Equal(t, "shutdown: killed while running", running.Info().Reason)
		_, err = running.Get(bg)
		require.ErrorIs(t, err, dagq.ErrKilled)
		// Closed: new work fails with ErrClosed, a second Shutdown is fine.
		late := dagq.Submit(q, value(1))
		_, err = late.Get(bg)
		require.ErrorIs(t, err, dagq.ErrClosed)
		require.ErrorIs(t, s.Start(bg), dagq.ErrClosed)
		require.ErrorIs(t, s.Add(dagq.Spec{Name: "x", Run: func(context.Context) error { return nil }}), dagq.ErrClosed)
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
		require.Equal(t, 3, c.Tasks())
	})
}

func TestShutdownWaitsForRunningTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
			time.Sleep(time.Hour)
			return 3, nil
		})
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		require.NoError(t, s.Shutdown(bg))
		v, err := f.Get(bg)
		require.NoError(t, err)
		require.Equal(t, 3, v)
	})
}

func TestStartContextCancelKillsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		q, _ := s.Queue("q", 1)
		g := newGate()
		running := dagq.Submit(q, g.fn)
		queued := dagq.Submit(q, g.fn)
		ctx, cancel := context.WithCancel(bg)
		require.NoError(t, s.Start(ctx))
		synctest.Wait()
		cancel()
		synctest.Wait()
		require.Equal(t, "run context ended: context canceled: killed while running", running.Info().Reason)
		require.Equal(t, "run context ended: context canceled: killed while queued", queued.Info().Reason)
		require.ErrorIs(t, s.Wait(bg), dagq.ErrKilled)
		late := dagq.Submit(q, value(1))
		require.Equal(t, dagq.Killed, late.Status())
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestEmptyRunReturnsAtOnce(t *testing.T) {
	s := dagq.New()
	require.NoError(t, s.Run(bg))
	require.ErrorIs(t, s.Start(bg), dagq.ErrStarted)
	require.NoError(t, s.Shutdown(bg))
}

// Run on a started scheduler waits for the tasks submitted since; like
// Wait it reports every failure since New.
func TestRunAgainWaitsForNewTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		q := s.DefaultQueue()
		boom := errors.New("boom")
		dagq.Submit(q, func(context.Context) (int, error) { return 0, boom })
		err := s.Run(bg)
		require.ErrorIs(t, err, boom)
		late := dagq.Submit(q, func(context.Context) (int, error) {
			time.Sleep(time.Second)
			return 2, nil
		})
		err = s.Run(bg)
		require.ErrorIs(t, err, boom, "the earlier failure is still reported")
		require.Equal(t, dagq.Succeeded, late.Status(), "Run waited for the new task")
		var re *dagq.RunError
		require.ErrorAs(t, err, &re)
		require.Equal(t, 2, re.Tasks)
		require.Equal(t, 1, re.Failed)
		require.NoError(t, s.Shutdown(bg))
		require.ErrorIs(t, s.Run(bg), dagq.ErrClosed)
	})
}

func TestWaitHonoursContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		g := newGate()
		dagq.Submit(s.DefaultQueue(), g.fn)
		require.NoError(t, s.Start(bg))
		ctx, cancel := context.WithTimeout(bg, time.Second)
		defer cancel()
		require.ErrorIs(t, s.Wait(ctx), context.DeadlineExceeded)
		close(g.release)
		require.NoError(t, s.Wait(bg))
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestFailFastKillsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New(dagq.WithFailFast())
		q, _ := s.Queue("q", 2)
		g := newGate()
		other := dagq.Submit(q, g.fn)
		bad := dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("bad") }, dagq.Name("bad"))
		waiting := dagq.Submit(q, value(1))
		require.ErrorContains(t, s.Run(bg), "bad")
		require.Equal(t, dagq.Failed, bad.Status())
		require.Equal(t, dagq.Killed, other.Status())
		require.Equal(t, dagq.Killed, waiting.Status())
		require.Contains(t, waiting.Info().Reason, `fail-fast after task "bad"`)
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestTriggerRules(t *testing.T) {
	s, q, c := newChecked(t, 2)
	fail := dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("x") })
	ok := dagq.Submit(q, value(1))
	anyOK := dagq.Submit(q, value("any"), dagq.After(fail, ok), dagq.Trigger(dagq.AnySucceeded))
	noneOK := dagq.Submit(q, value("none"), dagq.After(fail), dagq.Trigger(dagq.AnySucceeded))
	cleanup := dagq.Submit(q, value("cleanup"), dagq.After(fail, ok, noneOK), dagq.Trigger(dagq.AllDone))
	all := dagq.Submit(q, value("all"), dagq.After(fail, ok))
	valued := dagq.Then(q, ok, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Trigger(dagq.AllDone))
	require.Error(t, s.Run(bg))
	require.Equal(t, dagq.Succeeded, anyOK.Status())
	require.Equal(t, dagq.Killed, noneOK.Status())
	require.Contains(t, noneOK.Info().Reason, "no dependency succeeded")
	require.Equal(t, dagq.Succeeded, cleanup.Status())
	require.Equal(t, dagq.Killed, all.Status())
	_, err := valued.Get(bg)
	var se *dagq.SubmitError
	require.ErrorAs(t, err, &se, "only AllSucceeded tasks take values")
	c.Verify(t)
	require.Equal(t, 7, c.Tasks())
}

func TestRetryAndTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithObserver(c))
		q := s.DefaultQueue()
		var tries atomic.Int32
		flaky := dagq.Submit(q, func(context.Context) (int, error) {
			if tries.Add(1) < 3 {
				return 0, errors.New("flaky")
			}
			return 9, nil
		}, dagq.Retry(2, time.Second))
		slow := dagq.Submit(q, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}, dagq.Timeout(time.Minute))
		start := time.Now()
		require.Error(t, s.Run(bg))
		v, err := flaky.Get(bg)
		require.NoError(t, err)
		require.Equal(t, 9, v)
		require.Equal(t, 3, flaky.Info().Attempts)
		_, err = slow.Get(bg)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, time.Minute, time.Since(start))
		c.Verify(t)
		require.Equal(t, 2, c.Tasks())
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestSlowObserverDoesNotDelayDispatch(t *testing.T) {
	release := make(chan struct{})
	var seen atomic.Int64
	s := dagq.New(dagq.WithObserver(dagq.ObserverFunc(func(dagq.Event) {
		<-release // stuck until every task is done
		seen.Add(1)
	})))
	q, _ := s.Queue("q", 4)
	const n = 10_000
	fs := make([]*dagq.Future[int], n)
	for i := range fs {
		fs[i] = dagq.Submit(q, value(i))
	}
	require.NoError(t, s.Start(bg))
	for _, f := range fs {
		_, err := f.Get(bg)
		require.NoError(t, err)
	}
	require.Equal(t, int64(0), seen.Load(), "the observer has not seen anything yet")
	close(release)
	require.NoError(t, s.Wait(bg))
	require.Equal(t, int64(2+4*n), seen.Load(), "Wait returns once every event was delivered")
	require.NoError(t, s.Shutdown(bg))
}

func TestEventsArePerTaskOrderedAndCausal(t *testing.T) {
	s, q, c := newChecked(t, 3)
	ch, unsubscribe := s.Subscribe(0)
	defer unsubscribe()
	root := dagq.Submit(q, value(1))
	for range 50 {
		dagq.Then(q, root, func(_ context.Context, v int) (int, error) { return v, nil })
	}
	require.NoError(t, s.Run(bg))
	c.Verify(t)
	require.Equal(t, 51, c.Tasks())
	finished := map[dagq.TaskID]bool{}
	count := 0
	for e := range ch {
		if e.Kind == dagq.RunIdle {
			break
		}
		switch e.Kind {
		case dagq.TaskFinished:
			finished[e.Task.ID] = true
		case dagq.TaskStarted:
			for _, d := range e.Task.Deps {
				require.True(t, finished[d], "dependency finished before its dependent started")
			}
		}
		count++
	}
	require.Equal(t, 1+4*51, count)
}

func TestBadSubmissionsFailClearly(t *testing.T) {
	s := dagq.New(dagq.WithResource("licences", 2))
	defer s.Shutdown(bg)
	q := s.DefaultQueue()
	other := dagq.New()
	defer other.Shutdown(bg)
	foreign := dagq.Submit(other.DefaultQueue(), value(1))
	cases := map[string]*dagq.Future[int]{
		`unknown backend "gpu"`:        dagq.Submit(q, value(1), dagq.OnBackend("gpu")),
		`unknown resource pool "cpu"`:  dagq.Submit(q, value(1), dagq.Uses("cpu", 1)),
		`uses 3 of pool "licences"`:    dagq.Submit(q, value(1), dagq.Uses("licences", 3)),
		"not a task of this scheduler": dagq.Submit(q, value(1), dagq.After(foreign)),
		"nil dependency":               dagq.Then(q, (*dagq.Future[int])(nil), func(_ context.Context, v int) (int, error) { return v, nil }),
		`has no devices`:               dagq.Submit(q, value(1), dagq.Needs(dagq.Resources{GPUs: 1})),
		"Retries -1: want ≥ 0":         dagq.Submit(q, value(1), dagq.Retry(-1, 0)),
		"Backoff -1ns: want ≥ 0":       dagq.Submit(q, value(1), dagq.Retry(0, -1)),
		"Needs.GPUs -1: want ≥ 0":      dagq.Submit(q, value(1), dagq.Needs(dagq.Resources{GPUs: -1})),
		"Weight is NaN":                dagq.Submit(q, value(1), dagq.Weight(math.NaN())),
		"Cost is NaN":                  dagq.Submit(q, value(1), dagq.Cost(math.NaN())),
		"Trigger trigger(42)":          dagq.Submit(q, value(1), dagq.Trigger(dagq.TriggerRule(42))),
		"Submit: nil function":         dagq.Submit[int](q, nil),
		"Then: nil function":           dagq.Then[int, int](q, dagq.Submit(q, value(1)), nil),
		"Join: nil function":           dagq.Join[int, int](q, nil, nil),
		"nil queue":                    dagq.Submit(nil, value(1)),
	}
	for want, f := range cases {
		_, err := f.Get(bg)
		var se *dagq.SubmitError
		require.ErrorAs(t, err, &se, want)
		require.ErrorContains(t, err, want)
		require.Equal(t, dagq.Failed, f.Status())
	}
}

func TestNilDependenciesInAfterAreRefused(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	q := s.DefaultQueue()
	for name, dep := range map[string]dagq.Dep{
		"untyped nil":  nil,
		"nil future":   (*dagq.Future[int])(nil),
		"nil stream":   (*dagq.Stream[int])(nil),
		"nil among ok": nil,
	} {
		f := dagq.Submit(q, value(1), dagq.After(dagq.Submit(q, value(2)), dep))
		_, err := f.Get(bg)
		var se *dagq.SubmitError
		require.ErrorAs(t, err, &se, name)
		require.ErrorContains(t, err, "nil dependency", name)
	}
}

// One After option shared by tasks submitted from several goroutines: its
// deduplicated dependencies are shared, never written (checked by -race).
func TestAfterOptionSharedAcrossSubmissions(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	q := s.DefaultQueue()
	var deps []dagq.Dep
	for i := range 10 {
		f := dagq.Submit(q, value(i))
		deps = append(deps, f, f) // every dependency twice
	}
	require.NoError(t, s.Start(bg))
	for _, n := range []int{3, 6, 20} { // inside the option, beyond it, beyond the short-list scan
		after := dagq.After(deps[:n]...)
		var wg sync.WaitGroup
		futs := make([]*dagq.Future[int], 8)
		for i := range futs {
			wg.Go(func() { futs[i] = dagq.Submit(q, value(i), after) })
		}
		wg.Wait()
		require.NoError(t, s.Wait(bg))
		for _, f := range futs {
			require.Len(t, f.Info().Deps, (n+1)/2)
		}
	}
}

// Dependencies named by several After options, one by one and in groups,
// repeated: the task waits for each once.
func TestAfterOptionsCombine(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	q := s.DefaultQueue()
	fs := make([]*dagq.Future[int], 8)
	for i := range fs {
		fs[i] = dagq.Submit(q, value(i))
	}
	var opts []dagq.TaskOption
	for _, f := range fs[:6] { // past the config's own room for four
		opts = append(opts, dagq.After(f))
	}
	opts = append(opts, dagq.After(fs[5], fs[6], fs[7]), dagq.After(fs[0]))
	for k := 1; k <= len(opts); k++ {
		f := dagq.Submit(q, value(0), opts[:k]...)
		want := min(k, 6)
		if k > 6 {
			want = 8
		}
		require.Len(t, f.Info().Deps, want, "%d options", k)
	}
	require.NoError(t, s.Run(bg))
	require.Equal(t, "After(1 dep)", fmt.Sprint(dagq.After(fs[0])))
	require.Equal(t, "After(2 deps)", fmt.Sprint(dagq.After(fs[0], fs[1], fs[0])))
}

func TestQueueSettings(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	q, err := s.Queue("io", 2, dagq.WithQueuePolicy(dagq.ByWeight()))
	require.NoError(t, err)
	again, err := s.Queue("io", 2, dagq.WithQueuePolicy(dagq.ByWeight()))
	require.NoError(t, err)
	require.Same(t, q, again)
	_, err = s.Queue("io", 3)
	require.ErrorContains(t, err, `queue "io" exists with settings`)
	_, err = s.Queue("", 1)
	require.ErrorContains(t, err, "empty name")
	_, err = s.Queue("x", 0)
	require.ErrorContains(t, err, "size 0")
	require.Equal(t, "default", s.DefaultQueue().Name())
	require.Equal(t, "io", q.Name())
}

func TestLookupAndTask(t *testing.T) {
	s, q, _ := newChecked(t, 1)
	f := dagq.Submit(q, value(1), dagq.Name("x"), dagq.Weight(2), dagq.Priority(3), dagq.Tenant("ann"), dagq.Cost(4), dagq.Key("k"))
	require.NoError(t, s.Run(bg))
	info, ok := s.Lookup("x")
	require.True(t, ok)
	require.Equal(t, f.ID(), info.ID)
	require.Equal(t, "q", info.Queue)
	require.Equal(t, "local", info.Backend)
	require.Equal(t, dagq.Succeeded, info.Status)
	require.Equal(t, 1, info.Attempts)
	require.Equal(t, "ann", info.Tenant)
	require.Equal(t, 2.0, info.Weight)
	require.Equal(t, 3, info.Priority)
	require.Equal(t, 4.0, info.Cost)
	for _, at := range []time.Time{info.Submitted, info.Ready, info.Targeted, info.Dispatched, info.Started, info.Finished} {
		require.False(t, at.IsZero())
	}
	require.False(t, info.Finished.Before(info.Started))
	byID, ok := s.Task(f.ID())
	require.True(t, ok)
	require.Equal(t, info.Name, byID.Name)
	_, ok = s.Task(999)
	require.False(t, ok)
	_, ok = s.Lookup("nope")
	require.False(t, ok)
}

// Queue.Pending counts the ready tasks; Counts.Pending every task not yet
// terminal: Queue.Counts gives both.
func TestQueuePendingAndCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		q, err := s.Queue("one", 1)
		require.NoError(t, err)
		sleep := func(context.Context) (int, error) { time.Sleep(time.Second); return 0, nil }
		a := dagq.Submit(q, sleep)
		dagq.Submit(q, sleep)
		dagq.Submit(q, sleep, dagq.After(a))
		require.NoError(t, s.Start(t.Context()))
		synctest.Wait()
		c := q.Counts()
		require.Equal(t, dagq.Counts{Submitted: 3, Blocked: 1, Queued: 1, Running: 1}, c)
		require.Equal(t, 1, q.Pending())
		require.Equal(t, 3, c.Pending())
		require.Equal(t, s.Stats().Queues["one"], c)
		require.NoError(t, s.Wait(t.Context()))
		require.NoError(t, s.Shutdown(t.Context()))
	})
}
