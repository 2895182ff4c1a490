package dagq_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestCancelledRunFreesMemory submits many tasks to a running scheduler
// (all waiting behind a task that runs until the run's context ends),
// cancels the run and drops the scheduler: the heap must come back to
// within 10% of what it was before. 100,000 tasks; 1,000,000 with
// -chaos.full.
func TestCancelledRunFreesMemory(t *testing.T) {
	n := 100_000
	if *full {
		n = 1_000_000
	}
	before := liveHeap()
	peak := func() uint64 {
		s := dagq.New()
		q, err := s.Queue("q", 4)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(bg)
		require.NoError(t, s.Start(ctx))
		gate := dagq.Submit(q, blocker)
		prev := gate
		for i := range n {
			deps := []dagq.Dep{gate}
			if i%3 == 0 {
				deps = append(deps, prev)
			}
			prev = dagq.Submit(q, value(i), dagq.After(deps...))
		}
		require.Equal(t, n+1, s.Stats().Submitted)
		peak := liveHeap()
		cancel()
		require.Error(t, s.Wait(bg))
		require.Equal(t, n+1, s.Stats().Killed)
		require.NoError(t, s.Shutdown(bg))
		return peak
	}()
	after := liveHeap()
	t.Logf("%d tasks: live heap %d KiB before, %d KiB with the tasks (%d B/task), %d KiB after",
		n, before>>10, peak>>10, (peak-before)/uint64(n), after>>10)
	require.LessOrEqual(t, float64(after), 1.10*float64(before), "memory kept after the scheduler was dropped")
}
