package dagq_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// Tasks submitted before Start produce their events before RunStarted;
// RunStarted's Stats counts them, so an observer counting from RunStarted
// misses nothing.
func TestRunStartedCountsTasksSubmittedBefore(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var events []dagq.Event
	s := dagq.New(dagq.WithObserver(dagq.ObserverFunc(func(e dagq.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})))
	q := s.DefaultQueue()
	a := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil })
	dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v + 1, nil })
	dagq.Submit(q, func(context.Context) (int, error) { return 0, nil }, dagq.Retry(-1, 0)) // refused
	require.Error(t, s.Run(t.Context()))
	dagq.Submit(q, func(context.Context) (int, error) { return 2, nil })
	require.Error(t, s.Wait(t.Context()))
	require.NoError(t, s.Shutdown(context.Background()))

	var started dagq.Event
	before, after := 0, 0
	for _, e := range events {
		switch {
		case e.Kind == dagq.RunStarted:
			started = e
		case e.Kind != dagq.TaskSubmitted:
		case started.Kind == "":
			before++
		default:
			after++
		}
	}
	require.Equal(t, dagq.RunStarted, started.Kind)
	require.Equal(t, 3, before)
	require.Equal(t, dagq.Counts{Submitted: 3, Blocked: 1, Queued: 1, Failed: 1}, started.Stats.Counts)
	require.Equal(t, 4, started.Stats.Submitted+after, "RunStarted's Stats plus later submissions count every task")
	require.Equal(t, dagq.RunStopped, events[len(events)-1].Kind)
}
