package dagqriver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runs returns how many times each tally file of dir was completed.
func runs(t *testing.T, dir string) map[string]int {
	t.Helper()
	files, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		require.NoError(t, err)
		out[f.Name()] = strings.Count(string(b), "\n")
	}
	return out
}

// TestRestartedSubmitterReattaches SIGKILLs a submitter process while 100
// tasks run on a worker and 100 dependents wait in its memory, then starts
// it again with the same RunID: it takes the results that completed while
// it was down, waits for the jobs still running instead of inserting them
// again, and inserts only the dependents. No task runs twice.
func TestRestartedSubmitterReattaches(t *testing.T) {
	pool := testPool(t)
	queue, dir := testQueue(t), t.TempDir()
	startWorker(t, queue, time.Hour)
	run := "restart" + queueSuffix
	spec := submitterEnv + "=" + fmt.Sprintf("%s,%s,%s,%d,%d", queue, run, dir, 100, 300)
	first := startProcess(t, spec)
	require.Eventually(t, func() bool { return len(runs(t, dir)) >= 30 }, time.Minute, 5*time.Millisecond)
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_ = first.Wait()
	atKill := len(runs(t, dir))
	var unfinished int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE args->>'run' = $1
		AND state NOT IN ('completed', 'discarded', 'cancelled')`, run).Scan(&unfinished))

	second := startProcess(t, spec)
	require.NoError(t, second.Wait())
	require.Zero(t, second.ProcessState.ExitCode())

	counts := runs(t, dir)
	require.Len(t, counts, 200, "every task ran")
	for name, n := range counts {
		require.Equal(t, 1, n, "%s ran %d times", name, n)
	}
	var jobs int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE args->>'run' = $1`, run).Scan(&jobs))
	require.Equal(t, 200, jobs, "one job per task: none inserted twice")
	t.Logf("at the kill: %d tasks had run, %d jobs were queued or running; after the restart: 200 tasks ran once each, 0 twice", atKill, unfinished)
}

// TestCancelRunCancelsAnAbandonedRun SIGKILLs a submitter whose jobs run
// on a worker; CancelRun then cancels them on the worker.
func TestCancelRunCancelsAnAbandonedRun(t *testing.T) {
	pool := testPool(t)
	queue, dir := testQueue(t), t.TempDir()
	startWorker(t, queue, time.Hour)
	run := "abandoned" + queueSuffix
	sub := startProcess(t, submitterEnv+"="+fmt.Sprintf("%s,%s,%s,%d,%d", queue, run, dir, 20, 60_000))
	var running int
	require.Eventually(t, func() bool {
		require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE args->>'run' = $1 AND state = 'running'`, run).Scan(&running))
		return running == 20
	}, time.Minute, 5*time.Millisecond)
	require.NoError(t, sub.Process.Signal(syscall.SIGKILL))
	_ = sub.Wait()

	n, err := CancelRun(t.Context(), pool, run)
	require.NoError(t, err)
	require.Equal(t, 20, n)
	require.Eventually(t, func() bool {
		var left int
		require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE args->>'run' = $1 AND state <> 'cancelled'`, run).Scan(&left))
		return left == 0
	}, time.Minute, 5*time.Millisecond, "the running handlers were cancelled on the worker")
	require.Empty(t, runs(t, dir), "no handler ran to its end")
	n, err = CancelRun(t.Context(), pool, run)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left to cancel")
	_, err = CancelRun(t.Context(), pool, "")
	require.ErrorContains(t, err, "empty run ID")
}
