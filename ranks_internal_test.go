package dagq

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func noopTask(context.Context) (int, error) { return 0, nil }

// TestRekeyCompacts: re-keying ready tasks again and again does not grow
// their queue's heap beyond a constant factor of its waiting tasks.
func TestRekeyCompacts(t *testing.T) {
	t.Parallel()
	s := New()
	src, err := s.Queue("src", 1, WithQueuePolicy(LatestFirst()))
	require.NoError(t, err)
	dst, err := s.Queue("dst", 1)
	require.NoError(t, err)
	var ready []*Future[int]
	for range 10 {
		ready = append(ready, Submit(src, noopTask))
	}
	hs := src.ready.(*heapSet)
	for i := range 1000 {
		Then(dst, ready[i%10], func(context.Context, int) (int, error) { return i, nil })
		s.mu.Lock()
		require.LessOrEqual(t, hs.h.Len(), 2*10+65)
		s.mu.Unlock()
	}
	s.mu.Lock()
	require.Equal(t, TaskID(10), hs.Peek().ID(), "every source feeds 100 tasks: the newest goes first")
	s.mu.Unlock()
	ctx := context.Background()
	require.NoError(t, s.Run(ctx))
	require.NoError(t, s.Shutdown(ctx))
}
