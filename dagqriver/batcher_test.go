package dagqriver

import (
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// TestBatcherGroupsWhatArrivesMeanwhile checks the group commit: a request
// alone runs at once; those that arrive while a group runs go together in
// the next, at most maxBatch at a time, in arrival order; and the
// goroutine ends when nothing waits.
func TestBatcherGroupsWhatArrivesMeanwhile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := make(chan struct{})
		var mu sync.Mutex
		var groups [][]int
		b := &batcher[int]{run: func(g []int) {
			mu.Lock()
			groups = append(groups, append([]int(nil), g...))
			first := len(groups) == 1
			mu.Unlock()
			if first {
				<-gate // the first group is on its way while the others arrive
			}
		}}
		b.add(0)
		synctest.Wait()
		for i := 1; i <= maxBatch+5; i++ {
			b.add(i)
		}
		close(gate)
		b.wait()
		require.Len(t, groups, 3)
		require.Equal(t, []int{0}, groups[0])
		require.Len(t, groups[1], maxBatch)
		require.Equal(t, 1, groups[1][0])
		require.Equal(t, maxBatch, groups[1][maxBatch-1])
		require.Equal(t, []int{maxBatch + 1, maxBatch + 2, maxBatch + 3, maxBatch + 4, maxBatch + 5}, groups[2])

		b.add(7) // a later request starts a new goroutine
		b.wait()
		require.Equal(t, []int{7}, groups[3])
	})
}
