package dagq

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq/internal/eventlog"
)

// TestSinkBacklogAcrossChunks holds an observer while many chunks' worth
// of events queue up, then checks that every event arrives once, in
// order, and that emptied chunks are kept for reuse within the bound.
func TestSinkBacklogAcrossChunks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var got []int
		s := New(WithObserver(ObserverFunc(func(e Event) {
			if e.Kind != TaskItem {
				return
			}
			if len(got) == 0 {
				<-release
			}
			got = append(got, e.Item)
		})))
		k := s.sinks[0]
		const n = eventlog.ChunkLen*(64+4) + 7
		push := func(from, to int) {
			s.mu.Lock()
			defer s.mu.Unlock()
			for i := from; i < to; i++ {
				r := s.events.ReserveLocked(len(s.sinks))
				*r = record{kind: indexOf(TaskItem), Item: i}
				s.publishLocked(r)
			}
		}
		push(0, 1)
		synctest.Wait() // the observer now holds event 0; the rest wait
		push(1, n)
		waiting := int(s.events.Seq()/eventlog.ChunkLen - k.delivered.Load()/eventlog.ChunkLen)
		close(release)
		require.Greater(t, waiting, 64, "the backlog spans many chunks")
		require.NoError(t, k.drain(context.Background()))
		push(n, 2*n)
		require.NoError(t, s.Shutdown(context.Background()))
		require.Len(t, got, 2*n)
		for i, v := range got {
			require.Equal(t, i, v)
		}
		require.LessOrEqual(t, s.events.Reusable(), 64)
		require.NotZero(t, s.events.Reusable(), "emptied chunks are kept for reuse")
	})
}

func TestSinkSkipsQueueCountsForObserversThatIgnoreThem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var seen []map[string]Counts
		plain := ObserverFunc(func(e Event) {
			if e.Task.ID != 0 {
				seen = append(seen, e.Stats.Queues)
			}
		})
		s := New(WithObserver(LogObserver(slog.New(slog.DiscardHandler))), WithObserver(plain))
		require.True(t, s.sinks[0].noQueues)
		require.False(t, s.sinks[1].noQueues)
		q, err := s.Queue("q", 1)
		require.NoError(t, err)
		Submit(q, func(context.Context) (int, error) { return 1, nil })
		require.NoError(t, s.Run(context.Background()))
		require.NoError(t, s.Shutdown(context.Background()))
		require.Equal(t, []map[string]Counts{
			{"q": {Submitted: 1, Blocked: 1}},
			{"q": {Submitted: 1, Queued: 1}},
			{"q": {Submitted: 1, Running: 1}},
			{"q": {Submitted: 1, Succeeded: 1}},
		}, seen)
	})
}
