package dagq_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestByPriorityOrder(t *testing.T) {
	t.Parallel()
	s, q, o := oneSlot(t, dagq.ByPriority(0))
	for i, p := range []int{1, 3, 2, 3, -1} {
		dagq.Submit(q, returnZero, dagq.Name(fmt.Sprint("t", i)), dagq.Priority(p))
	}
	runOK(t, s)
	require.Equal(t, "t1 t3 t2 t0 t4", strings.Join(o.get(), " "))
}

func TestByPriorityString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "by-priority", dagq.ByPriority(0).String())
	require.Equal(t, "by-priority(aging=1s)", dagq.ByPriority(time.Second).String())
}

// priorityStream runs, on one slot, a stream of tasks of priority pmax
// that each take d and submit the next one just before they end (the slot
// is never idle and a high task is always ready when it frees), next to
// one task of priority 0 ready from the start. It returns how long the
// low task waited and how many high tasks ran before it.
func priorityStream(t *testing.T, aging time.Duration, pmax, total int, d time.Duration) (time.Duration, int) {
	o := &startOrder{}
	s := dagq.New(dagq.WithObserver(o))
	q, err := s.Queue("q", 1, dagq.WithQueuePolicy(dagq.ByPriority(aging)))
	require.NoError(t, err)
	var high func(i int)
	high = func(i int) {
		dagq.Submit(q, func(context.Context) (int, error) {
			time.Sleep(d)
			if i+1 < total {
				high(i + 1)
			}
			return i, nil
		}, dagq.Name(fmt.Sprint("high", i)), dagq.Priority(pmax))
	}
	high(0)
	low := dagq.Submit(q, returnZero, dagq.Name("low"), dagq.Priority(0))
	runOK(t, s)
	before := 0
	for _, name := range o.get() {
		if name == "low" {
			break
		}
		before++
	}
	return low.Info().Wait(), before
}

// TestByPriorityAgingBound: with aging a, a task of priority p waits at
// most (pmax−p)·a plus one task duration, however long the stream of
// higher-priority work; without aging it starves until the stream ends.
func TestByPriorityAgingBound(t *testing.T) {
	t.Parallel()
	const pmax, total = 10, 60
	const a, d = time.Second, 300 * time.Millisecond
	synctest.Test(t, func(t *testing.T) {
		wait, before := priorityStream(t, a, pmax, total, d)
		require.LessOrEqual(t, wait, pmax*a+d)
		require.Greater(t, wait, pmax*a-d, "the low task must still have been overtaken for about (pmax−p)·a")
		require.Less(t, before, total)
	})
	synctest.Test(t, func(t *testing.T) {
		wait, before := priorityStream(t, 0, pmax, total, d)
		require.Equal(t, total, before, "without aging the stream starves the low task")
		require.Equal(t, total*d, wait)
	})
}
