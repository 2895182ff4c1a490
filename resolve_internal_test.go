package dagq

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// A scheduler refuses tasks beyond maxTasks, which edges could not name.
func TestTaskLimit(t *testing.T) {
	require.NoError(t, room(maxTasks-1, 1))
	require.ErrorContains(t, room(maxTasks, 1), "holds 1073741823 tasks, at most 1073741823")
	require.ErrorContains(t, room(maxTasks-2, 3), "at most")
}

// blockedChain submits a chain of n tasks to q whose head runs until
// release is closed or it is cancelled.
func blockedChain(q *Queue, n int) (head, last *Future[int], release chan struct{}) {
	release = make(chan struct{})
	head = Submit(q, func(ctx context.Context) (int, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return 0, nil
	})
	last = head
	for range n - 1 {
		last = Then(q, last, func(context.Context, int) (int, error) { return 0, nil })
	}
	return head, last, release
}

// TestLargeKillInSlices: killing the head of a chain far longer than
// resolveBudget kills a first slice at once and leaves the rest to the
// backlog, which is drained with the lock released between slices; Cancel
// returns once every task is killed, each naming the head; an unrelated
// task can be submitted meanwhile (the lock is free between slices) and
// starts once the kill is done.
func TestLargeKillInSlices(t *testing.T) {
	n := 20 * resolveBudget
	s := New()
	defer s.Shutdown(context.Background())
	chain, err := s.Queue("chain", 1)
	require.NoError(t, err)
	head, last, release := blockedChain(chain, n)
	require.NoError(t, s.Start(t.Context()))

	// One slice, under the lock, as Cancel begins.
	s.mu.Lock()
	hn := &head.node
	now := s.now()
	s.killLocked(hn, "cancelled: test", now)
	s.resolveLocked(hn, now)
	first := s.counts.Killed
	pending := s.resolving
	s.mu.Unlock()
	require.True(t, pending, "the rest is left to the backlog")
	require.Less(t, first, n)
	require.LessOrEqual(t, first, resolveBudget+1, "a slice follows at most resolveBudget edges")

	other, err := s.Queue("other", 1)
	require.NoError(t, err)
	v, err := Submit(other, func(context.Context) (int, error) { return 7, nil }).Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, 7, v)

	s.Cancel(head.ID(), "again") // waits for the backlog
	require.Equal(t, n, s.Stats().Killed)
	_, err = last.Get(t.Context())
	require.ErrorContains(t, err, "cancelled: test")
	close(release)
}
