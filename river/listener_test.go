package river

import (
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

func TestLostListeningConnectionIsRecovered(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	startWorker(t, testQueue(t), time.Hour)
	obs := newFinishCounter()
	// Only the reconnection reads the states of jobs in flight.
	s := remoteScheduler(t, pool, Config{PollInterval: time.Hour}, dagq.WithObserver(obs))
	q, err := s.Queue("remote", 20)
	require.NoError(t, err)
	const n = 200
	for range n {
		dagq.Call(q, h.nap, 10)
	}
	require.NoError(t, s.Start(t.Context()))
	require.Eventually(t, func() bool { return s.Stats().Succeeded >= 20 }, time.Minute, 5*time.Millisecond)
	var killed int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = 'LISTEN `+channel+`' AND pid <> pg_backend_pid()`).Scan(&killed))
	require.Equal(t, 1, killed)
	require.NoError(t, s.Wait(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
	obs.requireExactlyOnce(t, n)
}
