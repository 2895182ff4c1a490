package dagq

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// TestSinkBacklogAcrossChunks holds an observer while many chunks' worth
// of events queue up, then checks that every event arrives once, in
// order, and that emptied chunks are kept for reuse within the bound.
func TestSinkBacklogAcrossChunks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var got []int
		k := newSink(ObserverFunc(func(e Event) {
			if len(got) == 0 {
				<-release
			}
			got = append(got, e.Item)
		}), slog.New(slog.DiscardHandler), nil)
		const n = eventChunk*(maxFreeChunks+4) + 7
		push := func(from, to int) {
			for i := from; i < to; i++ {
				k.push(Event{Kind: TaskItem, Item: i})
			}
		}
		k.push(Event{Kind: TaskItem, Item: 0})
		synctest.Wait() // the observer now holds event 0; the rest wait
		push(1, n)
		k.mu.Lock()
		waiting := len(k.chunks)
		k.mu.Unlock()
		close(release)
		require.Equal(t, (n-1+eventChunk-1)/eventChunk, waiting, "the backlog spans many chunks")
		require.NoError(t, k.drain(context.Background()))
		push(n, 2*n)
		k.close(context.Background())
		require.Len(t, got, 2*n)
		for i, v := range got {
			require.Equal(t, i, v)
		}
		require.LessOrEqual(t, len(k.free), maxFreeChunks)
		require.NotEmpty(t, k.free, "emptied chunks are kept for reuse")
	})
}

func TestSinkSkipsQueueCountsForObserversThatIgnoreThem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec Recorder
		var seen []map[string]Counts
		plain := ObserverFunc(func(e Event) { seen = append(seen, e.Stats.Queues) })
		k1 := newSink(&rec, slog.New(slog.DiscardHandler), nil)
		k2 := newSink(plain, slog.New(slog.DiscardHandler), nil)
		require.True(t, k1.noQueues)
		require.False(t, k2.noQueues)
		e := Event{Kind: TaskSubmitted, Task: TaskInfo{ID: 1, Queue: "q"}, queueCounts: Counts{Submitted: 1, Blocked: 1}}
		k1.push(e)
		k2.push(e)
		k1.close(context.Background())
		k2.close(context.Background())
		require.Equal(t, []map[string]Counts{{"q": {Submitted: 1, Blocked: 1}}}, seen)
		require.Len(t, rec.Tasks(), 1)
	})
}
