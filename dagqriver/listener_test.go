package dagqriver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

func TestDatabaseRestartMidRun(t *testing.T) {
	restart := os.Getenv("DAGQ_TEST_PG_RESTART")
	pool := testPool(t)
	if restart == "" {
		t.Skip("SKIPPED: DAGQ_TEST_PG_RESTART is not set (scripts/postgres.sh sets it)")
	}
	h := newTestHandlers()
	startWorker(t, testQueue(t), 2*time.Second)
	startWorker(t, testQueue(t), 2*time.Second)
	s := remoteScheduler(t, pool, Config{})
	q, err := s.Queue("remote", 20)
	require.NoError(t, err)
	dir := t.TempDir()
	var marks []*dagq.Future[string]
	for i := range 200 {
		marks = append(marks, dagq.Call(q, h.mark, filepath.Join(dir, fmt.Sprint(i)), dagq.Retry(6, 200*time.Millisecond)))
	}
	require.NoError(t, s.Start(t.Context()))
	require.Eventually(t, func() bool { return s.Stats().Succeeded >= 20 }, time.Minute, 5*time.Millisecond)
	out, err := exec.Command("sh", "-c", restart).CombinedOutput()
	require.NoError(t, err, "%s", out)
	runErr := s.Wait(t.Context())
	require.NoError(t, s.Shutdown(t.Context()))

	// The run continues, or fails clearly; nothing that did not run
	// succeeded.
	succeeded := 0
	for _, f := range marks {
		path, err := f.Get(t.Context())
		if err != nil {
			require.ErrorContains(t, err, "dagq: river:")
			continue
		}
		succeeded++
		require.FileExists(t, path)
	}
	t.Logf("after a restart: %d of %d tasks succeeded; run error: %v", succeeded, len(marks), runErr)
	require.Equal(t, len(marks), succeeded, "with Retry, the run should survive a restart")
}
