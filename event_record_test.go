package dagq

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq/internal/eventlog"
)

// TestEventSnapshotsMatchScheduler checks that the snapshot of a task's
// last event, built on the delivery side from its record, equals the
// scheduler's own snapshot once the run is over, for tasks that use the
// rarely set fields too (tenant, key, retries, kill reasons, errors).
func TestEventSnapshotsMatchScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		last := map[TaskID]TaskInfo{}
		s := New(WithObserver(ObserverFunc(func(e Event) {
			if e.Task.ID != 0 {
				mu.Lock()
				last[e.Task.ID] = e.Task
				mu.Unlock()
			}
		})))
		q := s.def
		tries := 0
		a := Submit(q, func(context.Context) (int, error) {
			time.Sleep(time.Millisecond)
			return 1, nil
		}, Name("a"), Tenant("t1"), Weight(2), Priority(3), Cost(4))
		b := Submit(q, func(context.Context) (int, error) {
			if tries++; tries < 2 {
				return 0, errors.New("flaky")
			}
			return 2, nil
		}, Name("b"), Retry(2, time.Millisecond), Key("k-b"))
		c := Then2(q, a, b, func(context.Context, int, int) (int, error) { return 0, errors.New("broken") }, Name("c"))
		Then(q, c, func(context.Context, int) (int, error) { return 0, nil }, Name("d"))
		require.Error(t, s.Run(context.Background()))
		require.NoError(t, s.Shutdown(context.Background()))
		tasks := s.Tasks()
		require.Len(t, last, len(tasks))
		for _, want := range tasks {
			require.Equal(t, want, last[want.ID], want.Name)
		}
		require.Equal(t, "t1", last[1].Tenant)
		require.Equal(t, "k-b", last[2].Key)
		require.Equal(t, []TaskID{1, 2}, last[3].Deps)
		require.Equal(t, Killed, last[4].Status)
		require.NotEmpty(t, last[4].Reason)
	})
}

// TestEventDepsAreCopies checks that the Deps of delivered snapshots do
// not share storage: appending to one leaves the others as they were.
func TestEventDepsAreCopies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var deps [][]TaskID
		s := New(WithObserver(ObserverFunc(func(e Event) {
			if len(e.Task.Deps) > 0 {
				deps = append(deps, e.Task.Deps)
			}
		})))
		a := Submit(s.def, func(context.Context) (int, error) { return 1, nil })
		for range 3 {
			Then(s.def, a, func(_ context.Context, v int) (int, error) { return v, nil })
		}
		require.NoError(t, s.Run(context.Background()))
		require.NoError(t, s.Shutdown(context.Background()))
		require.NotEmpty(t, deps)
		for i := range deps {
			_ = append(deps[i], 99)
		}
		for _, d := range deps {
			require.Equal(t, []TaskID{1}, d)
		}
	})
}

// TestEventRareFieldsOnReusedChunks runs enough tasks for the log to
// reuse its chunks, alternating tasks that fail (their records carry an
// error) with tasks that succeed: a reused record must not keep the rare
// fields of the record it replaces.
func TestEventRareFieldsOnReusedChunks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec Recorder
		last := map[TaskID]TaskInfo{}
		s := New(WithObserver(&rec), WithObserver(ObserverFunc(func(e Event) {
			if e.Task.ID != 0 {
				last[e.Task.ID] = e.Task
			}
		})))
		broken := errors.New("broken")
		const tasks = 2 * eventlog.ChunkLen
		for i := range tasks {
			Submit(s.def, func(context.Context) (int, error) {
				time.Sleep(time.Millisecond)
				if i%2 == 1 {
					return 0, broken
				}
				return i, nil
			})
		}
		require.Error(t, s.Run(context.Background()))
		require.NoError(t, s.Shutdown(context.Background()))
		require.NotZero(t, s.events.Reusable(), "chunks were passed by every reader")
		want := s.Tasks()
		require.Len(t, want, tasks)
		for _, w := range want {
			require.Equal(t, w, last[w.ID])
		}
		require.Equal(t, want, rec.Tasks())
	})
}
