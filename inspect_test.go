package dagq_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestQueuesParallelismPausedPools(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New(dagq.WithParallelism(3), dagq.WithResource("licence", 2), dagq.WithResource("disk", 5))
		gpu, err := s.Queue("gpu", 2)
		require.NoError(t, err)
		_, err = s.Queue("build", 4)
		require.NoError(t, err)
		names := []string{}
		for _, q := range s.Queues() {
			names = append(names, q.Name())
		}
		require.Equal(t, []string{"build", "default", "gpu"}, names)
		require.Equal(t, 3, s.Parallelism())
		s.SetParallelism(-4)
		require.Equal(t, 0, s.Parallelism())
		require.False(t, s.Paused())
		s.Pause()
		require.True(t, s.Paused())
		s.Resume()
		require.False(t, s.Paused())

		release := make(chan struct{})
		started := make(chan struct{})
		dagq.Submit(gpu, func(context.Context) (int, error) {
			close(started)
			<-release
			return 1, nil
		}, dagq.Uses("licence", 2))
		require.NoError(t, s.Start(bg))
		<-started
		require.Equal(t, []dagq.PoolStats{{Name: "disk", Capacity: 5}, {Name: "licence", Capacity: 2, Used: 2}}, s.Pools())
		close(release)
		require.NoError(t, s.Wait(bg))
		require.Equal(t, 0, s.Pools()[1].Used)
		require.NoError(t, s.Shutdown(bg))
	})
}

func TestDependents(t *testing.T) {
	s := dagq.New()
	q := s.DefaultQueue()
	a := dagq.Submit(q, value(1))
	b := dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v, nil })
	c := dagq.Submit(q, value(3), dagq.After(a, b), dagq.Trigger(dagq.AllDone))
	st := dagq.SubmitStream(q, func(_ context.Context, emit func(int) error) error {
		if err := emit(7); err != nil {
			return err
		}
		return emit(8)
	})
	d := dagq.Then(q, st.At(0), func(_ context.Context, v int) (int, error) { return v, nil })
	e := dagq.Submit(q, value(5), dagq.After(st.At(0), st.At(1)))

	require.Equal(t, []dagq.TaskID{b.ID(), c.ID()}, s.Dependents(a.ID()))
	require.Equal(t, []dagq.TaskID{c.ID()}, s.Dependents(b.ID()))
	require.Equal(t, []dagq.TaskID{d.ID(), e.ID()}, s.Dependents(st.ID()), "an item's dependents are the stream's, each once")
	require.Empty(t, s.Dependents(c.ID()))
	require.Nil(t, s.Dependents(0))
	require.Nil(t, s.Dependents(9999))
	require.NoError(t, s.Run(bg))
	require.NoError(t, s.Shutdown(bg))
}

// finishes is an observer that takes only terminal events.
type finishes struct {
	mu   sync.Mutex
	seen map[dagq.Status]int
}

func (f *finishes) Enabled(kind dagq.EventKind, _, to dagq.Status) bool { return to.Terminal() }

func (f *finishes) Observe(e dagq.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen[e.To]++
}

func TestAddObserverWhileRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		q := s.DefaultQueue()
		require.NoError(t, s.Start(bg))
		dagq.Submit(q, value(0))
		require.NoError(t, s.Wait(bg))

		f := &finishes{seen: map[dagq.Status]int{}}
		remove := s.AddObserver(f)
		for i := range 10 {
			dagq.Submit(q, value(i))
		}
		dagq.Submit(q, func(context.Context) (int, error) { return 0, context.Canceled })
		require.Error(t, s.Wait(bg))
		remove()
		remove()
		dagq.Submit(q, value(1))
		require.Error(t, s.Wait(bg))
		f.mu.Lock()
		require.Equal(t, map[dagq.Status]int{dagq.Succeeded: 10, dagq.Failed: 1}, f.seen,
			"the events after AddObserver and before remove, of the kinds it takes")
		f.mu.Unlock()
		require.NoError(t, s.Shutdown(bg))
		require.NotPanics(t, func() { s.AddObserver(f)() }, "after Shutdown nothing is attached")
		require.NotPanics(t, func() { s.AddObserver(nil)() })
	})
}

func TestTaskRange(t *testing.T) {
	s := dagq.New()
	q := s.DefaultQueue()
	require.Nil(t, s.TaskRange(1, 10), "no task yet")
	for i := range 10 {
		dagq.Submit(q, value(i), dagq.Name(string(rune('a'+i))))
	}
	ids := func(ts []dagq.TaskInfo) (out []dagq.TaskID) {
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	require.Equal(t, []dagq.TaskID{3, 4, 5}, ids(s.TaskRange(3, 3)))
	require.Equal(t, []dagq.TaskID{9, 10}, ids(s.TaskRange(9, 5)))
	require.Equal(t, []dagq.TaskID{1, 2}, ids(s.TaskRange(0, 2)))
	require.Equal(t, "j", s.TaskRange(10, 1)[0].Name)
	require.Nil(t, s.TaskRange(11, 1))
	require.Nil(t, s.TaskRange(1, 0))
	require.Nil(t, s.TaskRange(1, -5))
	require.Len(t, s.TaskRange(1, math.MaxInt), 10)
	require.Len(t, s.TaskRange(math.MaxUint64, math.MaxInt), 0)
	require.NoError(t, s.Run(bg))
	require.NoError(t, s.Shutdown(bg))
}
