package dagq

import (
	"context"
	"maps"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq/internal/eventlog"
)

// statsChecker is an observer that checks every event's Stats against its
// own replay of the transitions and the invariants of Counts; bad counts
// the first event whose Stats differ.
type statsChecker struct {
	counts Counts
	queues map[string]Counts
	seen   int
	bad    int
}

func (c *statsChecker) Observe(e Event) {
	c.seen++
	if e.Task.ID != 0 {
		c.counts.add(e.From, e.To)
		qc := c.queues[e.Task.Queue]
		qc.add(e.From, e.To)
		c.queues[e.Task.Queue] = qc
	}
	st := e.Stats
	if c.bad == 0 && (st.Counts != c.counts || !maps.Equal(st.Queues, c.queues) ||
		st.Submitted != st.Pending()+st.Succeeded+st.Failed+st.Killed) {
		c.bad = c.seen
	}
}

// TestEventLogSharedBySinks runs enough tasks for many chunks of the log
// while a subscription leaves half-way: the observer still receives every
// event with exact Stats, the remaining subscription every event from its
// start, in the observer's order.
func TestEventLogSharedBySinks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		check := &statsChecker{queues: map[string]Counts{}}
		var all []EventKind
		s := New(WithObserver(check), WithObserver(ObserverFunc(func(e Event) { all = append(all, e.Kind) })))
		q2, err := s.Queue("other", 2)
		require.NoError(t, err)
		const tasks = 4 * eventlog.ChunkLen
		fs := []*Future[int]{Submit(s.def, func(context.Context) (int, error) { return 0, nil })}
		for i := 1; i < tasks; i++ {
			q := s.def
			if i%3 == 0 {
				q = q2
			}
			fs = append(fs, Then(q, fs[i/2], func(_ context.Context, v int) (int, error) { return v + 1, nil }))
		}
		stay, stop := s.Subscribe(0)
		var stayed []EventKind
		done := make(chan struct{})
		go func() {
			for e := range stay {
				stayed = append(stayed, e.Kind)
			}
			close(done)
		}()
		leave, unsubscribe := s.Subscribe(0)
		require.NoError(t, s.Start(context.Background()))
		for range eventlog.ChunkLen {
			<-leave
		}
		unsubscribe()
		require.NoError(t, s.Wait(context.Background()))
		require.NoError(t, s.Shutdown(context.Background()))
		<-done
		stop()

		require.Equal(t, 4*tasks+3, check.seen, "every task event plus started, idle, stopped")
		require.Zero(t, check.bad, "first event with wrong Stats")
		require.Len(t, all, check.seen)
		require.Len(t, stayed, len(all)-tasks-1, "all but the submissions and the first task's queuing")
		require.Equal(t, all[tasks+1:], stayed, "the subscription saw everything from its start, in the same order")
		require.Equal(t, RunStopped, stayed[len(stayed)-1])
		require.Equal(t, s.Stats().Counts, check.counts)
	})
}

// TestEventLogConcurrentReaders runs on real goroutines (for the race
// detector): workers publish while sinks read, subscriptions come and go,
// and Wait must return only after the observer saw every event so far.
func TestEventLogConcurrentReaders(t *testing.T) {
	var rec Recorder
	check := &statsChecker{queues: map[string]Counts{}}
	s := New(WithObserver(check), WithObserver(&rec))
	const tasks = 3 * eventlog.ChunkLen
	fs := []*Future[int]{Submit(s.def, func(context.Context) (int, error) { return 0, nil })}
	for i := 1; i < tasks; i++ {
		fs = append(fs, Then(s.def, fs[i/2], func(_ context.Context, v int) (int, error) { return v + 1, nil }))
	}
	ctx := context.Background()
	require.NoError(t, s.Start(ctx))
	for range 4 {
		_, stop := s.Subscribe(1)
		stop()
	}
	require.NoError(t, s.Wait(ctx))
	require.Equal(t, 4*tasks+2, check.seen, "Wait returns after every event so far was observed")
	require.Zero(t, check.bad, "first event with wrong Stats")
	require.Equal(t, s.Tasks(), rec.Tasks())
	require.NoError(t, s.Shutdown(ctx))
}
