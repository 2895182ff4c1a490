package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// TestRetryBackoffSaturates checks that the wait before each retry is
// backoff·2^(n−1) up to one minute, and one minute for every later retry:
// the doubling never overflows into short or zero waits (it did past the
// 44th attempt of a 1 ms back-off).
func TestRetryBackoffSaturates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const retries = 120
		s := dagq.New()
		defer s.Shutdown(bg)
		var starts []time.Time
		f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
			starts = append(starts, time.Now())
			return 0, errors.New("flaky")
		}, dagq.Retry(retries, time.Millisecond))
		require.Error(t, s.Run(bg))
		require.Equal(t, dagq.Failed, f.Status())
		require.Len(t, starts, retries+1)
		for n := 1; n <= retries; n++ {
			want := time.Minute
			if n < 20 {
				want = min(time.Millisecond<<(n-1), time.Minute)
			}
			require.Equal(t, want, starts[n].Sub(starts[n-1]), "wait before retry %d", n)
		}
	})
}

// TestNaNIsRefused checks that NaN weights and costs are refused at
// submission and in Add, leaving the order of the other tasks intact.
func TestNaNIsRefused(t *testing.T) {
	for _, tc := range []struct {
		p    dagq.Policy
		cost float64 // sign of the cost that ranks v first by the policy
	}{{dagq.ByWeight(), 1}, {dagq.ShortestFirst(), -1}, {dagq.CriticalPath(), 1}} {
		p := tc.p
		t.Run(p.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := dagqtest.NewChecker(dagqtest.Limits{Parallelism: 1})
				s := dagq.New(dagq.WithPolicy(p), dagq.WithParallelism(1), dagq.WithObserver(c))
				q := s.DefaultQueue()
				var order []float64
				var mu sync.Mutex
				submit := func(v float64) *dagq.Future[int] {
					return dagq.Submit(q, func(context.Context) (int, error) {
						mu.Lock()
						order = append(order, v)
						mu.Unlock()
						return 0, nil
					}, dagq.Weight(v), dagq.Cost(tc.cost*v))
				}
				vs := []float64{4, 1, math.Inf(1), 3, 9, 2}
				for i, v := range vs {
					submit(v)
					if i == 2 {
						nan := submit(math.NaN())
						_, err := nan.Get(bg)
						var se *dagq.SubmitError
						require.ErrorAs(t, err, &se)
					}
				}
				err := s.Add(dagq.Spec{Name: "nan", Weight: math.NaN(), Run: func(context.Context) error { return nil }})
				var ge *dagq.GraphError
				require.ErrorAs(t, err, &ge)
				require.Equal(t, `dagq: spec "nan": Weight is NaN: want a number`, err.Error())
				require.Error(t, s.Run(bg), "the refused task failed")
				require.Equal(t, []float64{math.Inf(1), 9, 4, 3, 2, 1}, order)
				c.Verify(t)
			})
		})
	}
}

// TestPriorityFuncNaNRanksLowest checks that a PriorityFunc returning NaN
// for some tasks puts them last without breaking the order of the others.
func TestPriorityFuncNaNRanksLowest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		prio := func(ti dagq.TaskInfo) float64 {
			if ti.Priority < 0 {
				return math.NaN()
			}
			return float64(ti.Priority)
		}
		s := dagq.New(dagq.WithPolicy(dagq.PriorityFunc(prio)), dagq.WithParallelism(1))
		var order []int
		for _, p := range []int{5, -1, 2, 8, -1, 7, 1, 9, 3} {
			dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
				order = append(order, p)
				return 0, nil
			}, dagq.Priority(p))
		}
		require.NoError(t, s.Run(bg))
		require.NoError(t, s.Shutdown(bg))
		require.Equal(t, []int{9, 8, 7, 5, 3, 2, 1, -1, -1}, order)
	})
}

// TestAddRefusesBadFields checks that every check submission makes is made
// by Add: a bad field is a *GraphError naming the spec and the field, and
// nothing of the Add is added.
func TestAddRefusesBadFields(t *testing.T) {
	ok := func(context.Context) error { return nil }
	for want, bad := range map[string]dagq.Spec{
		"Retries -1: want ≥ 0":     {Retries: -1},
		"Backoff -1ns: want ≥ 0":   {Backoff: -1},
		"Needs.GPUs -1: want ≥ 0":  {Needs: dagq.Resources{GPUs: -1}},
		"Trigger trigger(9): want": {Trigger: 9},
		"Weight is NaN":            {Weight: math.NaN()},
		"Cost is NaN":              {Cost: math.NaN()},
	} {
		t.Run(want, func(t *testing.T) {
			s := dagq.New()
			defer s.Shutdown(bg)
			bad.Name, bad.Run, bad.Deps = "bad", ok, []string{"good"}
			err := s.Add(dagq.Spec{Name: "good", Run: ok}, bad, dagq.Spec{Name: "after", Deps: []string{"bad"}, Run: ok})
			var ge *dagq.GraphError
			require.ErrorAs(t, err, &ge)
			require.Equal(t, "bad", ge.Spec)
			require.ErrorContains(t, err, want)
			require.Zero(t, s.Stats().Submitted, "nothing added")
			require.NoError(t, s.Run(bg))
		})
	}
}

// panickyStore panics in the method named by panicIn.
type panickyStore struct {
	dagq.Store
	panicIn string
}

func (p panickyStore) Load(ctx context.Context, key string, into any) (bool, error) {
	if p.panicIn == "Load" {
		panic("Load exploded")
	}
	return p.Store.Load(ctx, key, into)
}

func (p panickyStore) Save(ctx context.Context, key string, v any) error {
	if p.panicIn == "Save" {
		panic("Save exploded")
	}
	return p.Store.Save(ctx, key, v)
}

// TestPanickingStoreFailsTheTask checks that a Store's panic fails the
// keyed task with a *PanicError (inside a *KeyError) instead of crashing
// the process (Save) or reaching the caller of Submit (Load), and that the
// other tasks run on.
func TestPanickingStoreFailsTheTask(t *testing.T) {
	for _, method := range []string{"Load", "Save"} {
		t.Run(method, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := dagqtest.NewChecker(dagqtest.Limits{})
				s := dagq.New(dagq.WithStore(panickyStore{dagq.MemoryStore(), method}), dagq.WithObserver(c))
				q := s.DefaultQueue()
				keyed := dagq.Submit(q, value(1), dagq.Key("k"))
				dependent := dagq.Then(q, keyed, func(_ context.Context, v int) (int, error) { return v, nil })
				other := dagq.Submit(q, value(2))
				require.Error(t, s.Run(bg))
				_, err := keyed.Get(bg)
				var pe *dagq.PanicError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, method+" exploded", pe.Value)
				var ke *dagq.KeyError
				require.ErrorAs(t, err, &ke)
				require.Equal(t, dagq.Killed, dependent.Status())
				v, err := other.Get(bg)
				require.NoError(t, err)
				require.Equal(t, 2, v)
				require.NoError(t, s.Shutdown(bg))
				c.Verify(t)
			})
		})
	}
}

// explodingSet is a FIFO ready set that panics on the call named by in,
// once armed.
type explodingSet struct {
	tasks []dagq.Task
	in    string
	armed *bool
}

func (e *explodingSet) boom(call string) {
	if *e.armed && e.in == call {
		panic(call + " exploded")
	}
}

func (e *explodingSet) Push(t dagq.Task) { e.boom("Push"); e.tasks = append(e.tasks, t) }

func (e *explodingSet) Peek() dagq.Task {
	e.boom("Peek")
	if len(e.tasks) == 0 {
		return dagq.Task{}
	}
	return e.tasks[0]
}

func (e *explodingSet) Pop() dagq.Task {
	e.boom("Pop")
	t := e.Peek()
	if len(e.tasks) > 0 {
		e.tasks = e.tasks[1:]
	}
	return t
}

func (e *explodingSet) Started(dagq.Task)  { e.boom("Started") }
func (e *explodingSet) Finished(dagq.Task) { e.boom("Finished") }

type explodingPolicy struct {
	in    string
	armed *bool
}

func (p explodingPolicy) NewReadySet() dagq.ReadySet {
	if p.in == "NewReadySet" {
		panic("NewReadySet exploded")
	}
	return &explodingSet{in: p.in, armed: p.armed}
}
func (p explodingPolicy) String() string { return "exploding(" + p.in + ")" }

// TestPanickingPolicyBreaksOnlyItsQueue checks that a panic in a queue's
// ready set or run tracker, called with the scheduler's lock held, fails
// that queue's waiting tasks (and those that become ready in it later)
// with a *PanicError, kills their dependents, and leaves the scheduler
// and the other queues working.
func TestPanickingPolicyBreaksOnlyItsQueue(t *testing.T) {
	for _, in := range []string{"Push", "Peek", "Pop", "Started", "Finished"} {
		t.Run(in, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := dagqtest.NewChecker(dagqtest.Limits{})
				s := dagq.New(dagq.WithObserver(c))
				armed := false
				bad, err := s.Queue("bad", 1, dagq.WithQueuePolicy(explodingPolicy{in, &armed}))
				require.NoError(t, err)
				good := s.DefaultQueue()
				first := dagq.Submit(bad, value(0))
				require.NoError(t, s.Run(bg), "unarmed, the policy works")
				armed = true
				var bads []*dagq.Future[int]
				for i := range 4 {
					bads = append(bads, dagq.Submit(bad, value(i)))
				}
				late := dagq.Then(bad, dagq.Submit(good, value(1)), func(_ context.Context, v int) (int, error) { return v, nil })
				dependent := dagq.Then(good, bads[3], func(_ context.Context, v int) (int, error) { return v, nil })
				fine := dagq.Submit(good, value(7))
				err = s.Wait(bg)
				var pe *dagq.PanicError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, in+" exploded", pe.Value)
				require.Equal(t, dagq.Succeeded, first.Status())
				failed := 0
				for _, f := range append(bads, late) {
					if f.Status() == dagq.Failed {
						_, err := f.Get(bg)
						require.ErrorAs(t, err, &pe)
						require.ErrorContains(t, err, `queue "bad": `)
						failed++
					}
				}
				if in == "Started" || in == "Finished" {
					require.ErrorContains(t, err, `queue "bad": run tracker panicked`)
				} else {
					require.ErrorContains(t, err, `queue "bad": ready set panicked`)
					require.Equal(t, 5, failed, "every task of the broken queue failed")
					require.Equal(t, dagq.Killed, dependent.Status())
				}
				v, err := fine.Get(bg)
				require.NoError(t, err)
				require.Equal(t, 7, v)
				after := dagq.Submit(good, value(8))
				_, err = after.Get(bg)
				require.NoError(t, err, "the scheduler goes on")
				require.NoError(t, s.Shutdown(bg))
				require.Zero(t, s.Stats().Pending())
				c.Verify(t)
			})
		})
	}
}

// TestPanickingPolicyOrStrategyAtQueueCreation checks that Queue returns
// a panic of NewReadySet, or of a strategy's Releases, as an error.
func TestPanickingPolicyOrStrategyAtQueueCreation(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	_, err := s.Queue("q", 1, dagq.WithQueuePolicy(explodingPolicy{in: "NewReadySet"}))
	var pe *dagq.PanicError
	require.ErrorAs(t, err, &pe)
	_, err = s.Queue("r", 1, dagq.WithStrategy(explodingStrategy{inReleases: true}))
	require.ErrorAs(t, err, &pe)
	_, err = s.Queue("q", 1)
	require.NoError(t, err, "the failed creation left nothing behind")
}

// explodingStrategy paces one task per second, panicking in Releases or
// in its schedule once the first task's offset is given.
type explodingStrategy struct{ inReleases bool }

func (e explodingStrategy) Limit() int { return 0 }
func (e explodingStrategy) Releases(time.Duration) (func() time.Duration, error) {
	if e.inReleases {
		panic("Releases exploded")
	}
	k := 0
	return func() time.Duration {
		if k++; k > 1 {
			panic("schedule exploded")
		}
		return time.Duration(k) * time.Second
	}, nil
}
func (e explodingStrategy) String() string { return "exploding" }

// TestPanickingStrategyBreaksItsQueue checks that a panic in a
// strategy's schedule, called with the lock held, fails the queue's
// waiting tasks and nothing else.
func TestPanickingStrategyBreaksItsQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithObserver(c))
		q, err := s.Queue("paced", 4, dagq.WithStrategy(explodingStrategy{}))
		require.NoError(t, err)
		fs := make([]*dagq.Future[int], 4)
		for i := range fs {
			fs[i] = dagq.Submit(q, value(i))
		}
		other := dagq.Submit(s.DefaultQueue(), value(9))
		err = s.Run(bg)
		require.ErrorContains(t, err, `queue "paced": strategy panicked`)
		statuses := make([]dagq.Status, len(fs))
		for i, f := range fs {
			statuses[i] = f.Status()
		}
		require.Equal(t, []dagq.Status{dagq.Succeeded, dagq.Failed, dagq.Failed, dagq.Failed}, statuses)
		require.Equal(t, dagq.Succeeded, other.Status())
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
	})
}

// explodingCapacity is a one-slot Capacity backend that panics in the
// method named by in for the job named "boom".
type explodingCapacity struct {
	in   string
	busy bool
}

func (e *explodingCapacity) Run(ctx context.Context, job *dagq.Job) (any, error) {
	return job.Func(ctx)
}

func (e *explodingCapacity) Admit(job *dagq.Job) error {
	if e.in == "Admit" && job.Name == "boom" {
		panic("Admit exploded")
	}
	return nil
}

func (e *explodingCapacity) Acquire(job *dagq.Job) bool {
	if e.in == "Acquire" && job.Name == "boom" {
		panic("Acquire exploded")
	}
	if e.busy {
		return false
	}
	e.busy = true
	return true
}

func (e *explodingCapacity) Release(job *dagq.Job) {
	e.busy = false
	if e.in == "Release" && job.Name == "boom" {
		panic("Release exploded")
	}
}

// TestPanickingCapacityFailsTheTask checks that a panic in a Capacity
// backend's Admit, Acquire or Release fails the task it was called for
// with a *PanicError and nothing else.
func TestPanickingCapacityFailsTheTask(t *testing.T) {
	for _, in := range []string{"Admit", "Acquire", "Release"} {
		t.Run(in, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := dagqtest.NewChecker(dagqtest.Limits{})
				s := dagq.New(dagq.WithBackend("cap", &explodingCapacity{in: in}), dagq.WithDefaultBackend("cap"), dagq.WithObserver(c))
				q := s.DefaultQueue()
				before := dagq.Submit(q, value(1), dagq.Name("before"))
				boom := dagq.Submit(q, value(2), dagq.Name("boom"))
				after := dagq.Submit(q, value(3), dagq.Name("after"))
				err := s.Run(bg)
				var pe *dagq.PanicError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, in+" exploded", pe.Value)
				require.Equal(t, dagq.Failed, boom.Status())
				require.Equal(t, dagq.Succeeded, before.Status())
				require.Equal(t, dagq.Succeeded, after.Status())
				require.NoError(t, s.Shutdown(bg))
				c.Verify(t)
			})
		})
	}
}

// TestKeyOnStreamIsRefused checks that a Key on a stream task is refused
// at submission: a twin could not yield the stream's items.
func TestKeyOnStreamIsRefused(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	st := dagq.SubmitStream(s.DefaultQueue(), func(_ context.Context, emit func(int) error) error {
		return emit(1)
	}, dagq.Key("k"))
	err := st.Wait(bg)
	var se *dagq.SubmitError
	require.ErrorAs(t, err, &se)
	require.ErrorContains(t, err, `Key("k") on a stream`)
}

// TestOvertimeAttemptFails checks, on every backend kind that runs
// functions, that an attempt which ignores its context and returns nil
// after its Timeout fails with context.DeadlineExceeded (and is retried
// as any failure).
func TestOvertimeAttemptFails(t *testing.T) {
	gpu, err := dagq.NewGPU("0")
	require.NoError(t, err)
	for name, b := range map[string]dagq.Backend{"local": dagq.Local(), "gpu": gpu} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := dagqtest.NewChecker(dagqtest.Limits{})
				s := dagq.New(dagq.WithBackend("b", b), dagq.WithDefaultBackend("b"), dagq.WithObserver(c))
				runs := 0
				f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
					runs++
					time.Sleep(2 * time.Second) // ignores its context
					return 1, nil
				}, dagq.Timeout(time.Second), dagq.Retry(1, 0))
				require.Error(t, s.Run(bg))
				_, err := f.Get(bg)
				require.ErrorIs(t, err, context.DeadlineExceeded)
				require.ErrorContains(t, err, "task timed out after 1s")
				require.Equal(t, 2, runs)
				in := dagq.Submit(s.DefaultQueue(), value(2), dagq.Timeout(time.Second))
				require.Error(t, s.Run(bg), "Run reports the failure since New")
				require.Equal(t, dagq.Succeeded, in.Status(), "an attempt within its timeout succeeds")
				require.NoError(t, s.Shutdown(bg))
				c.Verify(t)
			})
		})
	}
}

// TestOwnBusyErrorIsAFailure checks that an error of the task's own code,
// or given to Pull.Complete, that wraps ErrBackendBusy fails the task and
// counts attempts: only a backend's refusal sends it back to Queued.
func TestOwnBusyErrorIsAFailure(t *testing.T) {
	busy := fmt.Errorf("upstream says: %w", dagq.ErrBackendBusy)
	t.Run("task code", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := dagq.New()
			runs := 0
			f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
				runs++
				return 0, busy
			}, dagq.Retry(2, time.Second))
			require.Error(t, s.Run(bg))
			require.Equal(t, dagq.Failed, f.Status())
			require.Equal(t, 3, runs)
			require.Equal(t, 3, f.Info().Attempts)
			_, err := f.Get(bg)
			require.ErrorIs(t, err, dagq.ErrBackendBusy, "the task's own error, intact")
			require.NoError(t, s.Shutdown(bg))
		})
	})
	t.Run("pull", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := dagq.NewPull()
			s := dagq.New(dagq.WithBackend("pull", p), dagq.WithDefaultBackend("pull"))
			f := dagq.Submit(s.DefaultQueue(), value(1))
			require.NoError(t, s.Start(bg))
			go func() {
				for {
					job, err := p.Next(bg)
					if err != nil {
						return
					}
					p.Complete(job, nil, busy)
				}
			}()
			require.Error(t, s.Wait(bg))
			require.Equal(t, dagq.Failed, f.Status())
			require.Equal(t, 1, f.Info().Attempts)
			require.NoError(t, s.Shutdown(bg))
		})
	})
}

// TestSubscribeHugeBuffer checks that Subscribe clamps an absurd buffer
// instead of panicking, and still delivers every event.
func TestSubscribeHugeBuffer(t *testing.T) {
	s := dagq.New()
	ch, stop := s.Subscribe(math.MaxInt)
	defer stop()
	require.Equal(t, dagq.MaxSubscribeBuffer, cap(ch))
	dagq.Submit(s.DefaultQueue(), value(1))
	require.NoError(t, s.Run(bg))
	require.NoError(t, s.Shutdown(bg))
	var kinds []dagq.EventKind
	for e := range ch {
		kinds = append(kinds, e.Kind)
	}
	require.True(t, slices.Contains(kinds, dagq.TaskFinished))
	require.Equal(t, dagq.RunStopped, kinds[len(kinds)-1])
}

// TestPanickingObserverIsContained checks that an observer panicking on
// every event neither stops the run nor keeps events from the others.
func TestPanickingObserverIsContained(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{})
		bad := dagq.ObserverFunc(func(dagq.Event) { panic("observer exploded") })
		s := dagq.New(dagq.WithObserver(bad), dagq.WithObserver(dagq.MultiObserver(bad, c)))
		a := dagq.Submit(s.DefaultQueue(), value(1))
		b := dagq.Then(s.DefaultQueue(), a, func(_ context.Context, v int) (int, error) { return v + 1, nil })
		require.NoError(t, s.Run(bg))
		v, err := b.Get(bg)
		require.NoError(t, err)
		require.Equal(t, 2, v)
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
	})
}

// TestShutdownGraceThenAbandons checks, in virtual time, that Shutdown
// past its deadline waits its grace for cancelled tasks, returns as soon
// as they are back, and otherwise says how many it abandoned.
func TestShutdownGraceThenAbandons(t *testing.T) {
	for _, tc := range []struct {
		ignore time.Duration // how long the task runs on after its cancellation
		want   string
	}{
		{0, ""},
		{3 * time.Second, ""},
		{time.Hour, "1 cancelled tasks still running after the 10s grace were abandoned"},
	} {
		t.Run(tc.ignore.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := dagq.New(dagq.WithShutdownGrace(10 * time.Second))
				f := dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) {
					<-ctx.Done()
					time.Sleep(tc.ignore)
					return 0, ctx.Err()
				})
				require.NoError(t, s.Start(bg))
				synctest.Wait()
				ctx, cancel := context.WithTimeout(bg, time.Second)
				defer cancel()
				start := time.Now()
				err := s.Shutdown(ctx)
				require.ErrorIs(t, err, context.DeadlineExceeded)
				require.Equal(t, dagq.Killed, f.Status())
				if tc.want == "" {
					require.Equal(t, context.DeadlineExceeded, err)
					require.Equal(t, time.Second+tc.ignore, time.Since(start), "back as soon as the task returned")
					return
				}
				require.ErrorContains(t, err, tc.want)
				require.Equal(t, 11*time.Second, time.Since(start))
				time.Sleep(tc.ignore) // the abandoned task returns, late
				synctest.Wait()
			})
		})
	}
}

// TestCleanupWaitsForKilledAttempt checks that a task killed while it
// runs is Killed at once, its AllSucceeded dependents with it, while its
// AllDone dependent (cleanup) starts only once the killed attempt has
// returned.
func TestCleanupWaitsForKilledAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithObserver(c))
		q := s.DefaultQueue()
		returned := false
		work := dagq.Submit(q, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			time.Sleep(5 * time.Second) // winding down, as a process handling SIGTERM
			returned = true
			return 0, ctx.Err()
		})
		next := dagq.Then(q, work, func(_ context.Context, v int) (int, error) { return v, nil })
		sawReturned := false
		cleanup := dagq.Submit(q, func(context.Context) (int, error) {
			sawReturned = returned
			return 0, nil
		}, dagq.After(work), dagq.Trigger(dagq.AllDone))
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		s.Cancel(work.ID(), "enough")
		require.Equal(t, dagq.Killed, work.Status(), "killed at once")
		require.Equal(t, dagq.Killed, next.Status(), "its dependents with it")
		require.Equal(t, dagq.Blocked, cleanup.Status(), "cleanup waits for the attempt")
		require.Error(t, s.Wait(bg))
		require.True(t, sawReturned, "cleanup started after the killed attempt returned")
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
	})
}
