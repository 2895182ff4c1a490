package dagqriver

import (
	"context"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// The River backend's row of the core module's crossed matrix
// (crossed_test.go there): every built-in policy, with MaxInFlight 1 as
// what limits the start. The oracle is the same workload on the local
// backend with a parallelism of 1: the River backend must start the tasks,
// and insert their jobs, in the order the policy gives there.

// crossTask is one task of the workload: its policy inputs and the
// indexes of the earlier tasks it depends on.
type crossTask struct {
	tenant   string
	priority int
	weight   float64
	cost     float64
	deps     []int
}

// crossGraph has independent tasks, chains, a fan-in and a fan-out across
// tenants, with distinct enough keys that each policy has one order.
var crossGraph = []crossTask{
	{"alice", 1, 1, 3, nil},
	{"bob", 3, 2, 1, nil},
	{"alice", 2, 5, 2, []int{0}},
	{"batch", 3, 2, 5, []int{0}},
	{"bob", 0, 4, 1, []int{1, 2}},
	{"batch", 5, 0, 4, nil},
	{"alice", 1, 3, 2, []int{5}},
	{"bob", 2, 1, 1, []int{4}},
	{"batch", 4, 6, 3, nil},
}

// startOrder records the order in which tasks start.
type startOrder struct {
	mu    sync.Mutex
	order []dagq.TaskID
}

func (o *startOrder) Observe(e dagq.Event) {
	if e.Kind == dagq.TaskStarted {
		o.mu.Lock()
		o.order = append(o.order, e.Task.ID)
		o.mu.Unlock()
	}
}

// submitCross submits crossGraph to q, each task a seed call, and returns
// the task IDs by index.
func submitCross(q *dagq.Queue, h *testHandlers) []dagq.TaskID {
	ids := make([]dagq.TaskID, len(crossGraph))
	futs := make([]*dagq.Future[int64], len(crossGraph))
	for i, c := range crossGraph {
		opts := []dagq.TaskOption{dagq.Tenant(c.tenant), dagq.Priority(c.priority), dagq.Weight(c.weight), dagq.Cost(c.cost)}
		for _, d := range c.deps {
			opts = append(opts, dagq.After(futs[d]))
		}
		futs[i] = dagq.Call(q, h.seed, i, opts...)
		ids[i] = futs[i].ID()
	}
	return ids
}

// indexes maps started task IDs back to workload indexes.
func indexes(ids []dagq.TaskID, started []dagq.TaskID) []int {
	at := map[dagq.TaskID]int{}
	for i, id := range ids {
		at[id] = i
	}
	out := make([]int, len(started))
	for i, id := range started {
		out[i] = at[id]
	}
	return out
}

// runCross runs crossGraph under policy on the given scheduler options and
// returns the start order and the task IDs.
func runCross(t *testing.T, policy dagq.Policy, opts ...dagq.Option) (order []int, ids []dagq.TaskID) {
	obs := &startOrder{}
	s := dagq.New(append(opts, dagq.WithPolicy(policy), dagq.WithObserver(obs))...)
	ids = submitCross(s.DefaultQueue(), newTestHandlers())
	require.NoError(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
	obs.mu.Lock()
	defer obs.mu.Unlock()
	return indexes(ids, obs.order), ids
}

func TestPoliciesOrderTheRiverJobs(t *testing.T) {
	pool := testPool(t)
	startWorker(t, testQueue(t), time.Hour)
	policies := []struct {
		name   string
		policy func() dagq.Policy
	}{
		{"fifo", dagq.FIFO},
		{"by-priority", func() dagq.Policy { return dagq.ByPriority(0) }},
		{"by-priority-aging", func() dagq.Policy { return dagq.ByPriority(time.Hour) }},
		{"by-weight", dagq.ByWeight},
		{"shortest-first", dagq.ShortestFirst},
		{"critical-path", dagq.CriticalPath},
		{"latest-first", dagq.LatestFirst},
		{"fair-share", func() dagq.Policy { return dagq.FairShare(map[string]int{"batch": 1}) }},
	}
	for _, p := range policies {
		want, _ := runCross(t, p.policy(), dagq.WithParallelism(1))
		b := newTestBackend(t, pool, Config{MaxInFlight: 1})
		got, ids := runCross(t, p.policy(), dagq.WithBackend("river", b), dagq.WithDefaultBackend("river"))
		require.Equal(t, want, got, "%s: start order on River", p.name)

		rows, err := pool.Query(t.Context(), `SELECT (args->>'task')::bigint FROM river_job
			WHERE queue = $1 AND args->>'run' = $2 ORDER BY id`, testQueue(t), b.run)
		require.NoError(t, err)
		inserted, err := pgx.CollectRows(rows, pgx.RowTo[dagq.TaskID])
		require.NoError(t, err)
		require.Equal(t, want, indexes(ids, inserted), "%s: insert order of the River jobs", p.name)
	}
}

// jobStates counts the River jobs of queue by state.
func jobStates(t *testing.T, pool *pgxpool.Pool, queue string) map[string]int {
	rows, err := pool.Query(t.Context(), `SELECT state::text, count(*) FROM river_job WHERE queue = $1 GROUP BY state`, queue)
	require.NoError(t, err)
	states := map[string]int{}
	var state string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&state, &n}, func() error {
		states[state] = n
		return nil
	})
	require.NoError(t, err)
	return states
}

// TestTimeoutCancelsTheRiverJob: a task's dagq.Timeout ends its attempt
// from the submitter, which cancels the River job on the worker; the task
// fails wrapping context.DeadlineExceeded and its dependent is killed.
func TestTimeoutCancelsTheRiverJob(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	startWorker(t, testQueue(t), time.Hour)
	s := remoteScheduler(t, pool, Config{})
	slow := dagq.Call(s.DefaultQueue(), h.nap, 600_000, dagq.Timeout(300*time.Millisecond))
	after := dagq.CallThen(s.DefaultQueue(), h.nap, slow)
	require.Error(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
	require.Equal(t, dagq.Failed, slow.Status())
	require.True(t, errors.Is(slow.Info().Err, context.DeadlineExceeded), "%v", slow.Info().Err)
	require.Equal(t, dagq.Killed, after.Status())
	require.Eventually(t, func() bool {
		return maps.Equal(jobStates(t, pool, testQueue(t)), map[string]int{"cancelled": 1})
	}, time.Minute, 10*time.Millisecond, "one River job, cancelled")
}

// TestShutdownCancelsTheRiverJobs: a Shutdown whose context ends while
// tasks run on workers kills them, cancels their River jobs and kills the
// tasks that had not started; every task reaches one terminal status.
func TestShutdownCancelsTheRiverJobs(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	startWorker(t, testQueue(t), time.Hour)
	s := remoteScheduler(t, pool, Config{})
	q, err := s.Queue("remote", 10)
	require.NoError(t, err)
	var running, blocked []*dagq.Future[int]
	for range 5 {
		r := dagq.Call(q, h.nap, 600_000)
		running = append(running, r)
		blocked = append(blocked, dagq.CallThen(q, h.nap, r))
	}
	require.NoError(t, s.Start(t.Context()))
	require.Eventually(t, func() bool {
		return jobStates(t, pool, testQueue(t))["running"] == len(running)
	}, time.Minute, 10*time.Millisecond)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.Shutdown(ctx), context.DeadlineExceeded)
	for i := range running {
		require.Equal(t, dagq.Killed, running[i].Status())
		require.Equal(t, dagq.Killed, blocked[i].Status())
	}
	require.Eventually(t, func() bool {
		return jobStates(t, pool, testQueue(t))["cancelled"] == len(running)
	}, time.Minute, 10*time.Millisecond, "the running jobs are cancelled")
}
