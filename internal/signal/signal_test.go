package signal

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Waiters see every change made under the lock: each wakes once the
// counter reaches its target, however the changes interleave.
func TestWaitersSeeTheCondition(t *testing.T) {
	var mu sync.Mutex
	var sig Signal
	n := 0
	var wg sync.WaitGroup
	for target := range 20 {
		wg.Go(func() {
			mu.Lock()
			defer mu.Unlock()
			for n < target {
				require.True(t, sig.Wait(&mu, nil))
			}
		})
	}
	for range 20 {
		mu.Lock()
		n++
		sig.Broadcast()
		mu.Unlock()
	}
	wg.Wait()
	require.False(t, sig.Waiting(), "the last Broadcast closed what was made")
}

func TestWaitEndsWithDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var sig Signal
		done := make(chan struct{})
		time.AfterFunc(time.Second, func() { close(done) })
		mu.Lock()
		require.False(t, sig.Wait(&mu, done))
		require.True(t, sig.Waiting(), "the channel stays for other waiters")
		mu.Unlock()
		mu.Lock()
		sig.Broadcast()
		require.False(t, sig.Waiting())
		mu.Unlock()
	})
}

func TestBroadcastWithoutWaitersAllocatesNothing(t *testing.T) {
	var sig Signal
	require.Zero(t, testing.AllocsPerRun(100, sig.Broadcast))
}
