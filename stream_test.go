package dagq_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// streamEvents records, compactly, the events of a run, for stream tests.
type streamEvents struct {
	mu     sync.Mutex
	events []streamEvent
}

type streamEvent struct {
	kind dagq.EventKind
	id   dagq.TaskID
	item int
}

func (r *streamEvents) Observe(e dagq.Event) {
	r.mu.Lock()
	r.events = append(r.events, streamEvent{e.Kind, e.Task.ID, e.Item})
	r.mu.Unlock()
}

// finished returns the IDs of tasks in the order they finished.
func (r *streamEvents) finished() []dagq.TaskID {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []dagq.TaskID
	for _, e := range r.events {
		if e.kind == dagq.TaskFinished {
			ids = append(ids, e.id)
		}
	}
	return ids
}

// items returns the indexes of the TaskItem events of task id.
func (r *streamEvents) items(id dagq.TaskID) []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var is []int
	for _, e := range r.events {
		if e.kind == dagq.TaskItem && e.id == id {
			is = append(is, e.item)
		}
	}
	return is
}

// newStreamScheduler returns a scheduler recording its events and a queue
// of the given size; the scheduler is shut down when the test ends.
func newStreamScheduler(t *testing.T, size int) (*dagq.Scheduler, *dagq.Queue, *streamEvents) {
	t.Helper()
	rec := &streamEvents{}
	s := dagq.New(dagq.WithObserver(rec))
	t.Cleanup(func() { require.NoError(t, s.Shutdown(context.Background())) })
	q, err := s.Queue("q", size)
	require.NoError(t, err)
	return s, q, rec
}

// emitN returns a producer that emits 0, 1, ..., n-1 and then returns err.
func emitN(n int, err error) func(context.Context, func(int) error) error {
	return func(_ context.Context, emit func(int) error) error {
		for i := range n {
			if e := emit(i); e != nil {
				return e
			}
		}
		return err
	}
}

// findMinima is smqsched's generator: item i tells whether x[i] is a local
// minimum. Every 1,000 points it calls pause, then sleeps (virtual time
// under synctest), as a producer that acquires its data would.
func findMinima(x []float64, pause func()) func(context.Context, func(bool) error) error {
	return func(ctx context.Context, emit func(bool) error) error {
		for i := range x {
			if i%1000 == 999 {
				pause()
				time.Sleep(time.Millisecond)
			}
			isMin := i > 0 && i < len(x)-1 && x[i] < x[i-1] && x[i] < x[i+1]
			if err := emit(isMin); err != nil {
				return err
			}
		}
		return nil
	}
}

// liveGoroutines counts goroutines from a stack dump, letting those that
// are exiting (synctest.Wait does not wait for them to be gone) finish.
func liveGoroutines() int {
	buf := make([]byte, 1<<20)
	n := math.MaxInt
	for range 5 {
		n = min(n, bytes.Count(buf[:runtime.Stack(buf, true)], []byte("\ngoroutine "))+1)
		runtime.Gosched()
	}
	return n
}

func TestStreamFindMinima(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const points, size = 100_000, 4
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(1, 2))
		x := make([]float64, points)
		for i := range x {
			x[i] = rng.Float64()
		}
		s, q, rec := newStreamScheduler(t, size)
		// At each pause, once every other goroutine is blocked, count them:
		// the stream's worker is the only one, whatever is pending.
		base := liveGoroutines()
		var idle []int
		pause := func() {
			synctest.Wait()
			idle = append(idle, liveGoroutines()-base)
		}
		st := dagq.SubmitStream(q, findMinima(x, pause), dagq.Name("find-minima"))

		var most atomic.Int64
		var mu sync.Mutex
		var minima []int
		first := dagq.TaskID(0)
		for i := range points {
			f := dagq.Then(q, st.At(i), func(_ context.Context, isMin bool) (bool, error) {
				most.Store(max(most.Load(), int64(runtime.NumGoroutine())))
				if isMin {
					mu.Lock()
					minima = append(minima, i)
					mu.Unlock()
				}
				return isMin, nil
			}, dagq.Name("print-minimum"))
			if i == 0 {
				first = f.ID()
			}
		}
		require.NoError(t, s.Run(ctx))

		var want []int
		for i := 1; i < points-1; i++ {
			if x[i] < x[i-1] && x[i] < x[i+1] {
				want = append(want, i)
			}
		}
		slices.Sort(minima)
		require.Equal(t, want, minima)
		require.Equal(t, points, st.Len())

		order := rec.finished()
		require.Len(t, order, points+1)
		require.Less(t, slices.Index(order, first), slices.Index(order, st.ID()),
			"the first dependent finishes before the stream")
		require.Len(t, idle, points/1000)
		for _, n := range idle {
			require.Equal(t, 1, n, "one goroutine, the stream's, while %d dependents wait", points)
		}
		// While running, workers that freed their slot may not have exited
		// yet when the next ones start: more than size, far less than points.
		require.Less(t, most.Load()-int64(base), int64(16*size),
			"goroutines stay O(parallelism), not one per pending item")
		require.Len(t, rec.items(st.ID()), points)
		stats := s.Stats()
		require.Equal(t, points+1, stats.Submitted, "items are not tasks")
		require.Equal(t, points+1, stats.Succeeded)
	})
}

func TestStreamCancelWhileEmitting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q, _ := newStreamScheduler(t, 2)
		emitErr := make(chan error, 1)
		st := dagq.SubmitStream(q, func(ctx context.Context, emit func(int) error) error {
			for i := range 11 {
				if err := emit(i); err != nil {
					return err
				}
			}
			<-ctx.Done()
			err := emit(11)
			emitErr <- err
			return err
		}, dagq.Name("endless"))
		stop := dagq.Then(q, st.At(10), func(context.Context, int) (int, error) {
			s.Cancel(st.ID(), "enough")
			return 0, nil
		})
		never := dagq.Then(q, st.At(11), func(context.Context, int) (int, error) { return 0, nil })
		err := s.Run(ctx)
		require.ErrorIs(t, err, dagq.ErrKilled)

		err = <-emitErr
		require.ErrorIs(t, err, dagq.ErrKilled)
		require.ErrorContains(t, err, `dagq: emit on stream "endless" (id 1)`)
		require.Equal(t, dagq.Succeeded, stop.Status())
		require.Equal(t, dagq.Killed, st.Status())
		require.Equal(t, "cancelled: enough", st.Info().Reason)
		require.Equal(t, dagq.Killed, never.Status())
		require.Equal(t, `stream "endless" (id 1) killed after 11 items: cancelled: enough`, never.Info().Reason)
		require.Equal(t, 11, st.Len())
	})
}

func TestStreamTimeoutStopsEmit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q, _ := newStreamScheduler(t, 1)
		st := dagq.SubmitStream(q, func(ctx context.Context, emit func(string) error) error {
			for {
				if err := emit("tick"); err != nil {
					return err
				}
				time.Sleep(time.Second)
			}
		}, dagq.Timeout(3500*time.Millisecond))
		require.Error(t, s.Run(ctx))
		require.Equal(t, 4, st.Len())
		require.ErrorIs(t, st.Wait(ctx), context.DeadlineExceeded)
	})
}

func TestStreamItemsIterator(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q, _ := newStreamScheduler(t, 1)
		st := dagq.SubmitStream(q, func(_ context.Context, emit func(string) error) error {
			for _, w := range []string{"a", "b", "c"} {
				time.Sleep(time.Second)
				if err := emit(w); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, s.Start(ctx))
		var got []string
		var at []time.Duration
		start := time.Now()
		for i, w := range st.Items(ctx) {
			require.Equal(t, len(got), i)
			got = append(got, w)
			at = append(at, time.Since(start))
		}
		require.Equal(t, []string{"a", "b", "c"}, got)
		require.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, at, "items arrive as emitted")
		require.NoError(t, st.Wait(ctx))

		// Stopping early, and a context that ends, stop the iterator.
		for range st.Items(ctx) {
			break
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		slow := dagq.SubmitStream(q, func(ctx context.Context, emit func(int) error) error {
			<-ctx.Done()
			return ctx.Err()
		})
		for range slow.Items(cctx) {
			t.Fatal("no item expected")
		}
		s.Cancel(slow.ID(), "done")
	})
}

func TestStreamRetryKeepsItems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q, _ := newStreamScheduler(t, 2)
		var attempt atomic.Int32
		st := dagq.SubmitStream(q, func(_ context.Context, emit func(int) error) error {
			a := int(attempt.Add(1))
			for i := range 5 {
				if a == 1 && i == 3 {
					return errors.New("flaky")
				}
				if err := emit(100*a + i); err != nil {
					return err
				}
			}
			return nil
		}, dagq.Retry(1, time.Second))
		dep := dagq.Then(q, st.At(4), func(_ context.Context, v int) (int, error) { return v, nil })
		require.NoError(t, s.Run(ctx))
		items, err := st.All(ctx)
		require.NoError(t, err)
		require.Equal(t, []int{100, 101, 102, 203, 204}, items)
		v, err := dep.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 204, v)
	})
}

func TestStreamRefused(t *testing.T) {
	ctx := context.Background()
	st := dagq.SubmitStream(nil, emitN(3, nil))
	require.Equal(t, dagq.TaskID(0), st.ID())
	require.Equal(t, dagq.Failed, st.Status())
	_, err := st.At(0).Get(ctx)
	require.ErrorContains(t, err, "nil queue")
	items, err := st.All(ctx)
	require.Nil(t, items)
	require.ErrorContains(t, err, "nil queue")
	require.Zero(t, st.Len())
	for range st.Items(ctx) {
		t.Fatal("no item expected")
	}
}

func TestStreamAsDependency(t *testing.T) {
	ctx := context.Background()
	s, q, _ := newStreamScheduler(t, 2)
	var leaked func(int) error
	st := dagq.SubmitStream(q, func(_ context.Context, emit func(int) error) error {
		leaked = emit
		return emit(1)
	})
	after := dagq.Submit(q, func(context.Context) (int, error) { return st.Len(), nil }, dagq.After(st))
	require.NoError(t, s.Run(ctx))
	v, err := after.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	require.Error(t, leaked(2), "emit after the stream ended")
	require.Equal(t, 1, st.Len())
	require.NotNil(t, st.Done())
	require.Equal(t, dagq.Succeeded, st.Info().Status)
}

func TestStreamEventOrder(t *testing.T) {
	ctx := context.Background()
	s, q, rec := newStreamScheduler(t, 1)
	st := dagq.SubmitStream(q, emitN(3, nil))
	dep := dagq.Then(q, st.At(1), func(_ context.Context, v int) (int, error) { return v, nil })
	require.NoError(t, s.Run(ctx))

	var kinds []dagq.EventKind
	itemAt, queuedAt := -1, -1
	for i, e := range rec.events {
		switch {
		case e.id == st.ID():
			kinds = append(kinds, e.kind)
			if e.kind == dagq.TaskItem && e.item == 1 {
				itemAt = i
			}
		case e.id == dep.ID() && e.kind == dagq.TaskQueued:
			queuedAt = i
		}
	}
	require.Equal(t, []dagq.EventKind{dagq.TaskSubmitted, dagq.TaskQueued, dagq.TaskStarted,
		dagq.TaskItem, dagq.TaskItem, dagq.TaskItem, dagq.TaskFinished}, kinds)
	require.Less(t, itemAt, queuedAt, "an item's event comes before the dependents it readies")
	require.Equal(t, []int{0, 1, 2}, rec.items(st.ID()))
}
