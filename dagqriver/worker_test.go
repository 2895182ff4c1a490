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
