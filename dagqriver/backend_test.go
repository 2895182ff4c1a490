package dagqriver

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// layered submits a DAG of levels×width tasks: level 0 seeds, each later
// task mixes three tasks of the level before. It returns the last level.
func layered(q *dagq.Queue, h *testHandlers, levels, width int, opts ...dagq.TaskOption) []*dagq.Future[int64] {
	prev := make([]*dagq.Future[int64], width)
	for i := range prev {
		prev[i] = dagq.Call(q, h.seed, i, opts...)
	}
	for range levels - 1 {
		next := make([]*dagq.Future[int64], width)
		for i := range next {
			deps := []*dagq.Future[int64]{prev[i], prev[(i*7+1)%width], prev[(i*13+5)%width]}
			next[i] = dagq.CallJoin(q, h.mix, deps, opts...)
		}
		prev = next
	}
	return prev
}

func values(t *testing.T, fs []*dagq.Future[int64]) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		v, err := f.Get(t.Context())
		require.NoError(t, err)
		out[i] = v
	}
	return out
}

// finishCounter counts TaskFinished events per task and their statuses.
type finishCounter struct {
	mu       sync.Mutex
	finished map[dagq.TaskID]int
	statuses map[dagq.Status]int
	running  int
	maxRun   int
}

func newFinishCounter() *finishCounter {
	return &finishCounter{finished: map[dagq.TaskID]int{}, statuses: map[dagq.Status]int{}}
}

func (c *finishCounter) Observe(e dagq.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.To == dagq.Running {
		c.running++
		c.maxRun = max(c.maxRun, c.running)
	}
	if e.From == dagq.Running {
		c.running--
	}
	if e.Kind == dagq.TaskFinished {
		c.finished[e.Task.ID]++
		c.statuses[e.To]++
	}
}

// requireExactlyOnce checks that each of n tasks finished once, Succeeded.
func (c *finishCounter) requireExactlyOnce(t *testing.T, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(t, c.finished, n)
	for id, k := range c.finished {
		require.Equal(t, 1, k, "task %d finished %d times", id, k)
	}
	require.Equal(t, map[dagq.Status]int{dagq.Succeeded: n}, c.statuses)
}

// remoteScheduler returns a scheduler whose default backend is a River
// backend sending tasks to the test's queue.
func remoteScheduler(t testing.TB, pool *pgxpool.Pool, cfg Config, opts ...dagq.Option) *dagq.Scheduler {
	b := newTestBackend(t, pool, cfg)
	return dagq.New(append([]dagq.Option{dagq.WithBackend("river", b), dagq.WithDefaultBackend("river")}, opts...)...)
}

func TestLayeredDAGThroughTwoWorkersMatchesLocal(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	const levels, width = 10, 100

	local := dagq.New()
	want := layered(local.DefaultQueue(), h, levels, width)
	require.NoError(t, local.Run(t.Context()))
	require.NoError(t, local.Shutdown(t.Context()))

	startWorker(t, testQueue(t), time.Hour)
	startWorker(t, testQueue(t), time.Hour)
	obs := newFinishCounter()
	s := remoteScheduler(t, pool, Config{}, dagq.WithObserver(obs))
	q, err := s.Queue("remote", 1000)
	require.NoError(t, err)
	got := layered(q, h, levels, width)
	require.NoError(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
	require.Equal(t, values(t, want), values(t, got))
	obs.requireExactlyOnce(t, levels*width)
}

// TestDeadWorkerIsNoticedInSeconds kills a worker while it runs jobs: the
// other worker notices that its heartbeats stopped and runs them again,
// with the default settings (River's own rescue would wait a day).
func TestDeadWorkerIsNoticedInSeconds(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	victim := startWorker(t, testQueue(t), 0)
	obs := newFinishCounter()
	s := remoteScheduler(t, pool, Config{}, dagq.WithObserver(obs))
	q, err := s.Queue("remote", 100)
	require.NoError(t, err)
	var naps []*dagq.Future[int]
	for i := range 50 {
		ms := 1500 // long enough to be running when the worker dies
		if i < 10 {
			ms = 10
		}
		naps = append(naps, dagq.Call(q, h.nap, ms))
	}
	require.NoError(t, s.Start(t.Context()))
	require.Eventually(t, func() bool { return s.Stats().Succeeded >= 10 }, time.Minute, 5*time.Millisecond)
	require.NoError(t, victim.Process.Signal(syscall.SIGKILL))
	killed := time.Now()
	startWorker(t, testQueue(t), 0)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // River's own rescue would take a day
	defer cancel()
	require.NoError(t, s.Wait(ctx))
	t.Logf("the run ended %v after the worker was killed (defaults: heartbeat 1 s, DeadAfter 5 s; 1.5 s tasks)", time.Since(killed))
	require.NoError(t, s.Shutdown(t.Context()))

	obs.requireExactlyOnce(t, len(naps))
	for i, f := range naps {
		v, err := f.Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, map[bool]int{true: 10, false: 1500}[i < 10], v)
	}
	var rerun int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE queue = $1 AND attempt > 1
		AND errors[1]->>'error' LIKE 'dagq: river: worker % stopped sending heartbeats'`, testQueue(t)).Scan(&rerun))
	require.Equal(t, 40, rerun, "the 40 jobs running on the dead worker, and only those, ran again")
}

func TestCancelCancelsTheRiverJob(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	startWorker(t, testQueue(t), time.Hour)
	s := remoteScheduler(t, pool, Config{})
	long := dagq.Call(s.DefaultQueue(), h.nap, 600_000, dagq.Name("long"))
	after := dagq.CallThen(s.DefaultQueue(), h.nap, long)
	require.NoError(t, s.Start(t.Context()))

	var id int64
	require.Eventually(t, func() bool {
		err := pool.QueryRow(t.Context(), `SELECT id FROM river_job WHERE queue = $1 AND state = 'running'`, testQueue(t)).Scan(&id)
		return err == nil
	}, time.Minute, 10*time.Millisecond)
	s.Cancel(long.ID(), "not needed")
	require.Error(t, s.Wait(t.Context()))
	require.Equal(t, dagq.Killed, long.Status())
	require.Equal(t, dagq.Killed, after.Status())
	require.Eventually(t, func() bool {
		var state string
		require.NoError(t, pool.QueryRow(t.Context(), `SELECT state FROM river_job WHERE id = $1`, id).Scan(&state))
		return state == "cancelled"
	}, time.Minute, 10*time.Millisecond)
	require.NoError(t, s.Shutdown(t.Context()))
}

func TestMaxInFlightIsRespected(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	startWorker(t, testQueue(t), time.Hour)
	obs := newFinishCounter()
	s := remoteScheduler(t, pool, Config{MaxInFlight: 3}, dagq.WithObserver(obs))
	q, err := s.Queue("remote", 50)
	require.NoError(t, err)
	for range 20 {
		dagq.Call(q, h.nap, 20)
	}
	require.NoError(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
	obs.requireExactlyOnce(t, 20)
	require.LessOrEqual(t, obs.maxRun, 3)
}

func TestRefusals(t *testing.T) {
	pool := testPool(t)
	s := remoteScheduler(t, pool, Config{})
	f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 1, nil }, dagq.Name("closure"))
	require.ErrorContains(t, f.Info().Err, `task "closure" is a closure, which cannot run in another process`)
	require.Error(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))

	_, err := New(t.Context(), pool, &Config{MaxInFlight: -2})
	require.ErrorContains(t, err, "MaxInFlight -2: want -1 (no cap), 0 (the default) or more")
}
