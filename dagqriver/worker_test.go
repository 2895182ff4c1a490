package dagqriver

import (
	"context"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

func TestRemotePanicAndErrorsFailTheTask(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	startWorker(t, testQueue(t), time.Hour)
	s := remoteScheduler(t, pool, Config{})
	q := s.DefaultQueue()
	boom := dagq.Call(q, h.boom, "remote kaboom")
	flaky := dagq.Call(q, h.once, tempPath(t, "once"), dagq.Retry(1, 0))
	big := dagq.Call(q, h.large, 20_000)
	require.Error(t, s.Run(t.Context()))

	_, err := boom.Get(t.Context())
	re, ok := errorsAs[*RemoteError](err)
	require.True(t, ok, "%v", err)
	require.True(t, re.Panic)
	require.Equal(t, "remote kaboom", re.Message)
	require.Contains(t, re.Stack, "panic")
	require.ErrorContains(t, err, `handler "boom" panicked on a worker`)
	var state, lastErr string
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT state, errors[array_length(errors, 1)]->>'error' FROM river_job WHERE id = $1`, re.JobID).Scan(&state, &lastErr))
	require.Equal(t, "discarded", state, "a failed task is a failed River job")
	require.Equal(t, "remote kaboom", lastErr)
	var failedFirst string
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT state FROM river_job WHERE queue = $1 AND args->>'handler' = 'once' AND (args->>'attempt')::int = 1`, testQueue(t)).Scan(&failedFirst))
	require.Equal(t, "discarded", failedFirst, "the failed attempt of a retried task too")

	v, err := flaky.Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, "second call", v)
	require.Equal(t, 2, flaky.Info().Attempts)

	bv, err := big.Get(t.Context())
	require.NoError(t, err)
	require.Len(t, bv, 20_000)
	require.NoError(t, s.Shutdown(t.Context()))
}

func TestRunWorkerRefusesBadConfigurations(t *testing.T) {
	pool := testPool(t)
	require.ErrorContains(t, RunWorker(t.Context(), pool, nil, nil), "nil registry")
	err := RunWorker(t.Context(), pool, dagq.NewRegistry(), &WorkerConfig{Queues: map[string]int{"q": 0}})
	require.ErrorContains(t, err, `queue "q": want at least 1 worker, not 0`)
	err = RunWorker(t.Context(), pool, dagq.NewRegistry(), &WorkerConfig{JobTimeout: time.Hour, RescueStuckJobsAfter: time.Hour})
	require.ErrorContains(t, err, "RescueStuckJobsAfter 1h0m0s: want more than JobTimeout 1h0m0s")
}

func TestWorkerSettings(t *testing.T) {
	log := testLogger()
	rc, hb, err := riverConfig(&WorkerConfig{}, nil, log)
	require.NoError(t, err)
	require.Equal(t, time.Second, hb.every)
	require.Equal(t, 5*time.Second, hb.deadAfter)
	require.Equal(t, time.Duration(-1), rc.JobTimeout, "no job timeout: a task's own Timeout applies")
	require.Equal(t, 24*time.Hour, rc.RescueStuckJobsAfter)
	require.Regexp(t, `^dagq_.+_\d+_[0-9a-f]{12}$`, rc.ID)

	rc, _, err = riverConfig(&WorkerConfig{JobTimeout: 30 * time.Hour, CompletedRetention: time.Minute, FailedRetention: -1, CancelledRetention: time.Hour}, nil, log)
	require.NoError(t, err)
	require.Equal(t, 31*time.Hour, rc.RescueStuckJobsAfter, "the rescue comes after the timeout")
	require.Equal(t, time.Minute, rc.CompletedJobRetentionPeriod)
	require.Equal(t, time.Duration(-1), rc.DiscardedJobRetentionPeriod)
	require.Equal(t, time.Hour, rc.CancelledJobRetentionPeriod)

	rc, hb, err = riverConfig(&WorkerConfig{Heartbeat: -1}, nil, log)
	require.NoError(t, err)
	require.Negative(t, hb.every, "no heartbeat")
	require.Equal(t, time.Hour, rc.JobTimeout, "River's rescuer rescues only jobs that timed out")
	require.Equal(t, 2*time.Hour, rc.RescueStuckJobsAfter)

	for cfg, want := range map[*WorkerConfig]string{
		{Heartbeat: time.Second, DeadAfter: 2 * time.Second}: "want DeadAfter more than twice Heartbeat",
		{Heartbeat: -5}:  "want DeadAfter more than twice Heartbeat",
		{JobTimeout: -2}: "JobTimeout -2ns: want -1 (none) or more than 0",
		{JobTimeout: time.Hour, RescueStuckJobsAfter: time.Minute}:   "RescueStuckJobsAfter 1m0s: want more than JobTimeout 1h0m0s",
		{JobTimeout: time.Minute, RescueStuckJobsAfter: time.Minute}: "want more than JobTimeout",
	} {
		_, _, err := riverConfig(cfg, nil, log)
		require.ErrorContains(t, err, want)
	}
}

func TestRunWorkerStopsWhenItsContextEnds(t *testing.T) {
	pool := testPool(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		done <- RunWorker(ctx, pool, newTestHandlers().reg, &WorkerConfig{Queues: map[string]int{testQueue(t): 2}})
	}()
	h := newTestHandlers()
	s := remoteScheduler(t, pool, Config{})
	v, err := dagq.Call(s.DefaultQueue(), h.seed, 2).Get(startedContext(t, s))
	require.NoError(t, err)
	require.Equal(t, int64(2*7919+1), v)
	cancel()
	require.NoError(t, <-done)
	require.NoError(t, s.Shutdown(t.Context()))
}
