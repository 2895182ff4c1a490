package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// gpuSlots is a test backend with a fixed number of device slots (the
// seats of example_backends_test.go): it records which jobs reach it and
// runs their functions.
type gpuSlots struct {
	*seats
	ranMu sync.Mutex
	ran   []string
}

func newGPUSlots(n int) *gpuSlots { return &gpuSlots{seats: &seats{free: n}} }

func (b *gpuSlots) Run(ctx context.Context, job *dagq.Job) (any, error) {
	b.ranMu.Lock()
	b.ran = append(b.ran, job.Name)
	b.ranMu.Unlock()
	return job.Func(ctx)
}

func (b *gpuSlots) jobs() []string {
	b.ranMu.Lock()
	defer b.ranMu.Unlock()
	return slices.Sorted(slices.Values(b.ran))
}

// savingStore is a MemoryStore that records the keys saved.
type savingStore struct {
	dagq.Store
	mu    sync.Mutex
	saved []string
}

func (st *savingStore) Save(ctx context.Context, key string, v any) error {
	if err := st.Store.Save(ctx, key, v); err != nil {
		return err
	}
	st.mu.Lock()
	st.saved = append(st.saved, key)
	st.mu.Unlock()
	return nil
}

func (st *savingStore) keys() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return slices.Sorted(slices.Values(st.saved))
}

// gated returns a task function that returns v (or fails with err) once
// gate is closed, counting its runs.
func gated[T any](gate <-chan struct{}, runs *atomic.Int32, v T, err error) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) {
		runs.Add(1)
		if gate != nil {
			<-gate
		}
		if err != nil {
			var zero T
			return zero, err
		}
		return v, nil
	}
}

var errKeyTask = errors.New("boom")

// storeWith returns a MemoryStore that holds v under key.
func storeWith(t *testing.T, key string, v any) dagq.Store {
	st := dagq.MemoryStore()
	require.NoError(t, st.Save(t.Context(), key, v))
	return st
}

// withScheduler runs body in a synctest bubble with a new scheduler made
// with opts, shut down at the end.
func withScheduler(t *testing.T, body func(t *testing.T, ctx context.Context, s *dagq.Scheduler), opts ...dagq.Option) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New(opts...)
		defer s.Shutdown(context.Background())
		body(t, t.Context(), s)
	})
}

// TestKeyRunner reproduces the GPU job runner's own test: r1 (H1)
// succeeds, r2 (H2) fails, r3 (H1) comes while r1 runs, r4 (H2) after r2
// failed, r5 (H5) was recorded before the run; two device gpuSlots.
func TestKeyRunner(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		st := &savingStore{Store: dagq.MemoryStore()}
		require.NoError(t, st.Store.Save(ctx, "H5", "r5 from an earlier run"))
		gpu := newGPUSlots(2)
		s := dagq.New(dagq.WithStore(st), dagq.WithBackend("gpu", gpu), dagq.WithDefaultBackend("gpu"))
		defer s.Shutdown(context.Background())
		q, err := s.Queue("requests", 8)
		require.NoError(t, err)

		var runs atomic.Int32
		gate := make(chan struct{})
		r1 := dagq.Submit(q, gated(gate, &runs, "out1", nil), dagq.Name("r1"), dagq.Key("H1"))
		r2 := dagq.Submit(q, gated(nil, &runs, "", errKeyTask), dagq.Name("r2"), dagq.Key("H2"))
		require.NoError(t, s.Start(ctx))
		synctest.Wait()
		require.Equal(t, dagq.Running, r1.Status())
		require.Equal(t, dagq.Failed, r2.Status())

		r3 := dagq.Submit(q, gated(nil, &runs, "r3 ran", nil), dagq.Name("r3"), dagq.Key("H1"))
		r4 := dagq.Submit(q, gated(nil, &runs, "out4", nil), dagq.Name("r4"), dagq.Key("H2"))
		r5 := dagq.Submit(q, gated(nil, &runs, "r5 ran", nil), dagq.Name("r5"), dagq.Key("H5"))
		synctest.Wait()
		require.Equal(t, dagq.Blocked, r3.Status(), "r3 adopts the running r1")
		require.Equal(t, dagq.Succeeded, r4.Status())
		require.Equal(t, dagq.Succeeded, r5.Status())
		close(gate)
		require.ErrorIs(t, s.Wait(ctx), errKeyTask)

		require.Equal(t, []string{"r1", "r2", "r4"}, gpu.jobs(), "jobs that reached the backend")
		require.EqualValues(t, 3, runs.Load())
		for _, c := range []struct {
			f      *dagq.Future[string]
			want   string
			cached bool
		}{{r1, "out1", false}, {r3, "out1", true}, {r4, "out4", false}, {r5, "r5 from an earlier run", true}} {
			v, err := c.f.Get(ctx)
			require.NoError(t, err)
			require.Equal(t, c.want, v)
			info := c.f.Info()
			require.Equal(t, c.cached, info.Cached, info.Name)
			if c.cached {
				require.Zero(t, info.Attempts, info.Name)
			}
		}
		require.Equal(t, []string{"H1", "H2"}, st.keys(), "only H1 and H2 (from r4) stored")
		var h2 string
		found, err := st.Load(ctx, "H2", &h2)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, "out4", h2)
		require.Zero(t, gpu.inUse, "all devices free")
	})
}

// TestKeyDependents: dependencies are by task, not by key.
func TestKeyDependents(t *testing.T) {
	st := storeWith(t, "D", 7)
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		q := s.DefaultQueue()
		var runs atomic.Int32
		r1 := dagq.Submit(q, gated(nil, &runs, 0, errKeyTask), dagq.Name("r1"), dagq.Key("H1"))
		d1 := dagq.Then(q, r1, func(context.Context, int) (int, error) { runs.Add(100); return 1, nil }, dagq.Name("d1"))
		d2 := dagq.Then(q, r1, func(context.Context, int) (int, error) { runs.Add(100); return 2, nil }, dagq.Name("d2"), dagq.Key("D"))
		require.NoError(t, s.Start(ctx))
		synctest.Wait()

		// A new request with the failed key runs again; a dependent of it
		// waits for it rather than failing.
		r1b := dagq.Submit(q, gated(nil, &runs, 5, nil), dagq.Name("r1b"), dagq.Key("H1"))
		d3 := dagq.Then(q, r1b, func(_ context.Context, v int) (int, error) { return v * 2, nil }, dagq.Name("d3"))
		require.ErrorIs(t, s.Wait(ctx), errKeyTask)

		info := d1.Info()
		require.Equal(t, dagq.Killed, info.Status)
		require.Contains(t, info.Reason, `dependency "r1" (id 1) failed: boom`)
		v, err := d2.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 7, v)
		require.True(t, d2.Info().Cached)
		v, err = d3.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 10, v)
		require.EqualValues(t, 2, runs.Load(), "r1 and r1b ran, no dependent body of r1")
	}, dagq.WithStore(st))
}

// The four cases of an equivalent request: succeeded before, pending,
// running, failed before.

func TestKeySucceededBefore(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		var runs atomic.Int32
		first := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 1, nil), dagq.Key("K"))
		require.NoError(t, s.Run(ctx))

		second := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 2, nil), dagq.Key("K"))
		info := second.Info()
		require.Equal(t, dagq.Succeeded, info.Status, "succeeded at submission")
		require.True(t, info.Cached)
		require.Zero(t, info.Attempts)
		require.Contains(t, info.Reason, "result found in the store")
		v, err := second.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, v)
		require.False(t, first.Info().Cached)
		require.EqualValues(t, 1, runs.Load())
	})
}

func TestKeyPendingTwin(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		var runs atomic.Int32
		first := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 1, nil), dagq.Name("first"), dagq.Key("K"))
		second := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 2, nil), dagq.Key("K"))
		require.Equal(t, dagq.Queued, first.Status())
		info := second.Info()
		require.Equal(t, dagq.Blocked, info.Status)
		require.Equal(t, `adopts the outcome of twin "first" (id 1)`, info.Reason)

		require.NoError(t, s.Run(ctx))
		require.Equal(t, dagq.Succeeded, first.Status())
		info = second.Info()
		require.Equal(t, dagq.Succeeded, info.Status)
		require.True(t, info.Cached)
		require.Zero(t, info.Attempts)
		v, err := second.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, v)
		require.EqualValues(t, 1, runs.Load())
	})
}

func TestKeyRunningTwin(t *testing.T) {
	for _, firstErr := range []error{nil, errKeyTask} {
		t.Run(fmt.Sprint(firstErr), func(t *testing.T) {
			withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
				var runs atomic.Int32
				gate := make(chan struct{})
				first := dagq.Submit(s.DefaultQueue(), gated(gate, &runs, 1, firstErr), dagq.Key("K"))
				require.NoError(t, s.Start(ctx))
				synctest.Wait()
				require.Equal(t, dagq.Running, first.Status())
				second := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 2, nil), dagq.Key("K"))
				synctest.Wait()
				require.Equal(t, dagq.Blocked, second.Status(), "waits for its running twin")
				close(gate)
				_ = s.Wait(ctx)

				require.EqualValues(t, 1, runs.Load())
				v, err := second.Get(ctx)
				info := second.Info()
				require.Zero(t, info.Attempts)
				if firstErr != nil {
					require.Equal(t, dagq.Failed, first.Status())
					require.Equal(t, dagq.Failed, info.Status)
					require.False(t, info.Cached)
					require.ErrorIs(t, err, errKeyTask)
					require.ErrorContains(t, err, "twin id 1 with the same key failed: boom")
					return
				}
				require.Equal(t, dagq.Succeeded, info.Status)
				require.True(t, info.Cached)
				require.NoError(t, err)
				require.Equal(t, 1, v)
			})
		})
	}
}

func TestKeyFailedBefore(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		var runs atomic.Int32
		first := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 1, errKeyTask), dagq.Key("K"))
		require.ErrorIs(t, s.Run(ctx), errKeyTask)
		second := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 2, nil), dagq.Key("K"))
		third := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 3, nil), dagq.Key("K"))
		require.ErrorIs(t, s.Wait(ctx), errKeyTask, "the first failure stays in Wait's error")

		require.Equal(t, dagq.Failed, first.Status())
		info := second.Info()
		require.Equal(t, dagq.Succeeded, info.Status)
		require.False(t, info.Cached)
		require.Equal(t, 1, info.Attempts)
		v, err := third.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, v, "the third adopted the second")
		require.EqualValues(t, 2, runs.Load())
	})
}

func TestKeyTypeCollision(t *testing.T) {
	st := storeWith(t, "stored", 42)
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		q := s.DefaultQueue()
		var runs atomic.Int32
		gate := make(chan struct{})
		ints := dagq.Submit(q, gated(gate, &runs, 1, nil), dagq.Name("ints"), dagq.Key("K"))
		strs := dagq.Submit(q, gated(nil, &runs, "x", nil), dagq.Key("K"))
		fromStore := dagq.Submit(q, gated(nil, &runs, "x", nil), dagq.Key("stored"))
		err := s.Add(dagq.Spec{Name: "spec", Key: "K", Run: func(context.Context) error { return nil }})
		var ge *dagq.GraphError
		require.ErrorAs(t, err, &ge, "Add refuses the spec up front")
		require.Equal(t, `dagq: spec "spec": key "K": key used with another result type: task "ints" (id 1) has result type int, a spec none`, err.Error())
		_, found := s.Lookup("spec")
		require.False(t, found, "nothing added")

		for _, f := range []*dagq.Future[string]{strs, fromStore} {
			_, err := f.Get(ctx)
			require.ErrorIs(t, err, dagq.ErrKeyType)
			var ke *dagq.KeyError
			require.ErrorAs(t, err, &ke)
			require.Equal(t, dagq.Failed, f.Status())
		}
		_, err = strs.Get(ctx)
		require.ErrorContains(t, err, `failed: key "K": key used with another result type: task "ints" (id 1) has result type int, this task string`)
		_, err = fromStore.Get(ctx)
		require.ErrorContains(t, err, `memory store holds a int under "stored", not a string`)

		close(gate)
		require.Error(t, s.Run(ctx))
		v, err := ints.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, v, "the first task of the key is unaffected")
		require.EqualValues(t, 1, runs.Load())
	}, dagq.WithStore(st))
}

// failingStore cannot encode channels, as a JSON store could not.
type failingStore struct{ dagq.Store }

func (st failingStore) Save(ctx context.Context, key string, v any) error {
	if _, ok := v.(chan int); ok {
		return errors.New("cannot encode a chan int")
	}
	return st.Store.Save(ctx, key, v)
}

func TestKeySaveFails(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		var runs atomic.Int32
		f := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, make(chan int), nil), dagq.Key("K"))
		require.Error(t, s.Run(ctx))
		_, err := f.Get(ctx)
		var ke *dagq.KeyError
		require.ErrorAs(t, err, &ke)
		require.Equal(t, "K", ke.Key)
		require.ErrorContains(t, err, `failed: key "K": save result: cannot encode a chan int`)

		g := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, make(chan int), nil), dagq.Key("K"))
		require.Error(t, s.Wait(ctx))
		require.Equal(t, dagq.Failed, g.Status())
		require.EqualValues(t, 2, runs.Load(), "a failed save is a failure: the key runs again")
	}, dagq.WithStore(failingStore{dagq.MemoryStore()}))
}

func TestKeyKilledTwin(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		q := s.DefaultQueue()
		var runs atomic.Int32
		gate := make(chan struct{})
		first := dagq.Submit(q, gated(gate, &runs, 1, nil), dagq.Name("first"), dagq.Key("K"))
		adopter := dagq.Submit(q, gated(nil, &runs, 2, nil), dagq.Key("K"))
		cancelled := dagq.Submit(q, gated(nil, &runs, 3, nil), dagq.Key("K"))
		dependent := dagq.Then(q, adopter, func(_ context.Context, v int) (int, error) { return v, nil })
		s.Cancel(cancelled.ID(), "not wanted")
		require.Equal(t, dagq.Killed, cancelled.Status())
		require.Equal(t, dagq.Queued, first.Status(), "cancelling an adopter leaves its twin alone")

		s.Cancel(first.ID(), "stop")
		close(gate)
		require.ErrorIs(t, s.Run(ctx), dagq.ErrKilled)
		info := adopter.Info()
		require.Equal(t, dagq.Killed, info.Status)
		require.Equal(t, `twin "first" (id 1) with the same key killed: cancelled: stop`, info.Reason)
		require.Equal(t, dagq.Killed, dependent.Status())
		require.Zero(t, runs.Load())

		again := dagq.Submit(q, gated(nil, &runs, 4, nil), dagq.Key("K"))
		require.Error(t, s.Wait(ctx))
		require.Equal(t, dagq.Succeeded, again.Status(), "a killed key runs again")
		require.False(t, again.Info().Cached)
	})
}

func TestKeyEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		var mu sync.Mutex
		var events []string
		s := dagq.New(dagq.WithObserver(dagq.ObserverFunc(func(e dagq.Event) {
			if e.Task.ID == 0 {
				return
			}
			mu.Lock()
			events = append(events, fmt.Sprintf("%d %s %v→%v cached=%v", e.Task.ID, e.Kind, e.From, e.To, e.Task.Cached))
			mu.Unlock()
		})))
		defer s.Shutdown(context.Background())
		q := s.DefaultQueue()
		var runs atomic.Int32
		dagq.Submit(q, gated(nil, &runs, 1, nil), dagq.Key("K"))
		dagq.Submit(q, gated(nil, &runs, 1, nil), dagq.Key("K"))
		require.NoError(t, s.Run(ctx))
		dagq.Submit(q, gated(nil, &runs, 1, nil), dagq.Key("K"))
		require.NoError(t, s.Wait(ctx))
		require.Equal(t, []string{
			"1 task_submitted none→blocked cached=false",
			"1 task_queued blocked→queued cached=false",
			"2 task_submitted none→blocked cached=false",
			"1 task_started queued→running cached=false",
			"1 task_finished running→succeeded cached=false",
			"2 task_finished blocked→succeeded cached=true",
			"3 task_submitted none→blocked cached=false",
			"3 task_finished blocked→succeeded cached=true",
		}, events)
	})
}

func TestKeySpecs(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		var runs atomic.Int32
		run := func(context.Context) error { runs.Add(1); return nil }
		require.NoError(t, s.Add(
			dagq.Spec{Name: "a", Key: "A", Run: run},
			dagq.Spec{Name: "b", Key: "A", Deps: []string{"a"}, Run: run},
			dagq.Spec{Name: "c", Key: "C", Deps: []string{"b"}, Run: run},
		))
		require.NoError(t, s.Run(ctx))
		require.NoError(t, s.Add(
			dagq.Spec{Name: "a2", Key: "A", Run: run},
			dagq.Spec{Name: "c2", Key: "C", Deps: []string{"a2"}, Run: run},
		))
		require.NoError(t, s.Wait(ctx))
		require.EqualValues(t, 2, runs.Load(), "a and c ran; b, a2 and c2 are deduplicated")
		for name, cached := range map[string]bool{"a": false, "b": true, "c": false, "a2": true, "c2": true} {
			info, ok := s.Lookup(name)
			require.True(t, ok)
			require.Equal(t, dagq.Succeeded, info.Status, name)
			require.Equal(t, cached, info.Cached, name)
		}
	})
}

// TestKeyConcurrent submits 1,000 tasks sharing 10 keys from as many
// goroutines while the scheduler runs: each key runs once.
func TestKeyConcurrent(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		q, err := s.Queue("q", 4)
		require.NoError(t, err)
		require.NoError(t, s.Start(ctx))
		var runs [10]atomic.Int32
		futures := make([]*dagq.Future[int], 1000)
		var wg sync.WaitGroup
		for i := range futures {
			wg.Go(func() {
				k := i % 10
				futures[i] = dagq.Submit(q, func(context.Context) (int, error) {
					runs[k].Add(1)
					return k, nil
				}, dagq.Key(fmt.Sprint("key-", k)))
			})
		}
		wg.Wait()
		require.NoError(t, s.Wait(ctx))
		for k := range runs {
			require.EqualValues(t, 1, runs[k].Load(), "key %d", k)
		}
		cached := 0
		for i, f := range futures {
			v, err := f.Get(ctx)
			require.NoError(t, err)
			require.Equal(t, i%10, v)
			if f.Info().Cached {
				cached++
			}
		}
		require.Equal(t, 990, cached)
	})
}

// valueBackend runs local jobs and returns what ret makes of their value.
type valueBackend struct{ ret func(any) any }

func (b valueBackend) Run(ctx context.Context, job *dagq.Job) (any, error) {
	v, err := job.Func(ctx)
	return b.ret(v), err
}

func TestKeyBackendValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		st := &savingStore{Store: dagq.MemoryStore()}
		s := dagq.New(dagq.WithStore(st),
			dagq.WithBackend("double", valueBackend{func(v any) any { return v.(int) * 2 }}),
			dagq.WithBackend("wrong", valueBackend{func(any) any { return "not an int" }}))
		defer s.Shutdown(context.Background())
		var runs atomic.Int32
		ok := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 21, nil), dagq.Key("ok"), dagq.OnBackend("double"))
		bad := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 1, nil), dagq.Key("bad"), dagq.OnBackend("wrong"))
		require.Error(t, s.Run(ctx))
		v, err := ok.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 42, v)
		var stored int
		found, err := st.Load(ctx, "ok", &stored)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, 42, stored, "the backend's value is stored")
		_, err = bad.Get(ctx)
		require.ErrorContains(t, err, "returned a string, its future wants a int")
		require.Equal(t, []string{"ok"}, st.keys(), "a value of the wrong type is not stored")
	})
}

// TestKeyRetry: tasks adopting a twin that is retried wait for its last
// attempt.
func TestKeyRetry(t *testing.T) {
	withScheduler(t, func(t *testing.T, ctx context.Context, s *dagq.Scheduler) {
		var runs atomic.Int32
		first := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) {
			if runs.Add(1) == 1 {
				return 0, errKeyTask
			}
			return 7, nil
		}, dagq.Key("K"), dagq.Retry(1, 0))
		second := dagq.Submit(s.DefaultQueue(), gated(nil, &runs, 0, nil), dagq.Key("K"))
		require.NoError(t, s.Run(ctx))
		require.Equal(t, 2, first.Info().Attempts)
		v, err := second.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 7, v)
		require.EqualValues(t, 2, runs.Load())
	})
}

// BenchmarkKey measures what a Key costs per task with the MemoryStore:
// "none" is the baseline without keys, "unique" tasks that run and save
// their result, "stored" tasks whose result is in the store (one Load, no
// run), "twins" tasks that adopt a twin of the same run.
func BenchmarkKey(b *testing.B) {
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	keys := func(n, distinct int) []string {
		ks := make([]string, n)
		for i := range ks {
			ks[i] = fmt.Sprint("key-", i%distinct)
		}
		return ks
	}
	bench := func(b *testing.B, st dagq.Store, ks []string) {
		s := dagq.New(dagq.WithStore(st))
		defer s.Shutdown(ctx)
		q, err := s.Queue("q", 4)
		require.NoError(b, err)
		require.NoError(b, s.Start(ctx))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if ks == nil {
				dagq.Submit(q, fn)
			} else {
				dagq.Submit(q, fn, dagq.Key(ks[i]))
			}
		}
		require.NoError(b, s.Wait(ctx))
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/task")
	}
	b.Run("none", func(b *testing.B) { bench(b, dagq.MemoryStore(), nil) })
	b.Run("unique", func(b *testing.B) { bench(b, dagq.MemoryStore(), keys(b.N, b.N)) })
	b.Run("stored", func(b *testing.B) {
		st := dagq.MemoryStore()
		for i := range 100 {
			require.NoError(b, st.Save(ctx, fmt.Sprint("key-", i), 1))
		}
		bench(b, st, keys(b.N, 100))
	})
	b.Run("twins", func(b *testing.B) { bench(b, dagq.MemoryStore(), keys(b.N, 100)) })
}
