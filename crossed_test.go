package dagq_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// The crossed matrix: every built-in policy × every way a start can be
// limited to one at a time (queue size, global parallelism, a resource
// pool, GPU devices, GPU CPU slots, Pull's waiting Next calls) × every
// backend kind (Local, Fake, Exec, GPU over Local, Exec and Fake, Pull).
// The oracle: the start order is the policy's, computed here from its
// definition, whatever limits the start; the Checker watches every run.
// crossed_features_test.go crosses the other features with the backend
// kinds. A new feature gets its row in one of them.

// crossTask is one task of the workload: independent tasks, all submitted
// before Start, with distinct enough keys that each policy has one order.
type crossTask struct {
	tenant   string
	priority int
	weight   float64
	cost     float64
	deps     []int // indexes of earlier tasks
}

var crossWorkload = []crossTask{
	{"alice", 1, 1, 3, nil},
	{"alice", 3, 2, 1, nil},
	{"alice", 2, 5, 2, nil},
	{"bob", 3, 2, 5, nil},
	{"batch", 0, 4, 1, nil},
	{"batch", 5, 0, 4, nil},
	{"bob", 1, 3, 2, nil},
}

// crossGraph is a workload with dependencies: chains, a fan-in and a
// fan-out across tenants.
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

// crossScore is the PriorityFunc of the matrix.
func crossScore(i dagq.TaskInfo) float64 { return i.Weight*2 - float64(i.Priority) }

// crossPolicy is a policy and the order it promises for crossWorkload,
// as task indexes.
type crossPolicy struct {
	name   string
	policy dagq.Policy
	want   func([]crossTask) []int
}

// byKey orders the indexes by key, greatest first, ties by index.
func byKey(tasks []crossTask, key func(crossTask) float64) []int {
	idx := make([]int, len(tasks))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(tasks[b]), key(tasks[a])) })
	return idx
}

// roundRobin is FairShare's promise with one slot: tenants take turns in
// the order they first appear, each starting its oldest task.
func roundRobin(tasks []crossTask) []int {
	var ring []string
	queues := map[string][]int{}
	for i, t := range tasks {
		if queues[t.tenant] == nil {
			ring = append(ring, t.tenant)
		}
		queues[t.tenant] = append(queues[t.tenant], i)
	}
	var order []int
	for len(order) < len(tasks) {
		for _, name := range ring {
			if q := queues[name]; len(q) > 0 {
				order = append(order, q[0])
				queues[name] = q[1:]
			}
		}
	}
	return order
}

func crossPolicies() []crossPolicy {
	return []crossPolicy{
		{"fifo", dagq.FIFO(), func(ts []crossTask) []int { return byKey(ts, func(crossTask) float64 { return 0 }) }},
		{"by-priority", dagq.ByPriority(0), func(ts []crossTask) []int {
			return byKey(ts, func(t crossTask) float64 { return float64(t.priority) })
		}},
		{"by-priority-aging", dagq.ByPriority(time.Hour), func(ts []crossTask) []int {
			return byKey(ts, func(t crossTask) float64 { return float64(t.priority) })
		}},
		{"by-weight", dagq.ByWeight(), func(ts []crossTask) []int { return byKey(ts, func(t crossTask) float64 { return t.weight }) }},
		{"shortest-first", dagq.ShortestFirst(), func(ts []crossTask) []int { return byKey(ts, func(t crossTask) float64 { return -t.cost }) }},
		{"critical-path", dagq.CriticalPath(), func(ts []crossTask) []int { return byKey(ts, func(t crossTask) float64 { return t.cost }) }},
		{"latest-first", dagq.LatestFirst(), func(ts []crossTask) []int {
			order := byKey(ts, func(crossTask) float64 { return 0 })
			slices.Reverse(order)
			return order
		}},
		{"priority-func", dagq.PriorityFunc(crossScore), func(ts []crossTask) []int {
			return byKey(ts, func(t crossTask) float64 {
				return crossScore(dagq.TaskInfo{Weight: t.weight, Priority: t.priority})
			})
		}},
		{"fair-share", dagq.FairShare(map[string]int{"batch": 1}), roundRobin},
		{"user-critical-path", userCritical{}, func(ts []crossTask) []int { return byKey(ts, func(t crossTask) float64 { return t.cost }) }},
		{"user-fair-share", userFair{map[string]int{"batch": 1}}, roundRobin},
	}
}

// puller is the worker's side of a pull backend: [dagq.Pull], or its
// re-implementation in plugin_test.go.
type puller interface {
	Next(ctx context.Context) (*dagq.Job, error)
	Context(parent context.Context, job *dagq.Job) (context.Context, context.CancelFunc)
	Complete(job *dagq.Job, value any, err error)
}

// crossLimit is a way of letting one task start at a time, on a backend.
type crossLimit struct {
	name string
	// setup returns the scheduler options, the queue size, and options for
	// each task; pull is set when a Pull worker must serve the backend.
	setup func(t *testing.T) (opts []dagq.Option, size int, task []dagq.TaskOption, pull puller)
	exec  bool // tasks are commands
}

func gpuLimit(t *testing.T, list string, inner dagq.Backend, needs int) ([]dagq.Option, int, []dagq.TaskOption, puller) {
	g, err := dagq.NewGPU(list, dagq.WithInner(inner), dagq.WithCPUSlots(1))
	require.NoError(t, err)
	return []dagq.Option{dagq.WithBackend("gpu", g)}, 8,
		[]dagq.TaskOption{dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: needs})}, nil
}

func crossLimits() []crossLimit {
	var limits []crossLimit
	for _, kind := range []string{"local", "fake", "exec"} {
		backend := func() ([]dagq.Option, dagq.TaskOption) {
			if kind == "fake" {
				fake := dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{Duration: time.Second}))
				return []dagq.Option{dagq.WithBackend("fake", fake)}, dagq.OnBackend("fake")
			}
			return nil, dagq.OnBackend(kind) // built in
		}
		limits = append(limits,
			crossLimit{kind + "/queue-size", func(*testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
				o, to := backend()
				return o, 1, []dagq.TaskOption{to}, nil
			}, kind == "exec"},
			crossLimit{kind + "/parallelism", func(*testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
				o, to := backend()
				return append(o, dagq.WithParallelism(1)), 8, []dagq.TaskOption{to}, nil
			}, kind == "exec"},
			crossLimit{kind + "/pool", func(*testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
				o, to := backend()
				return append(o, dagq.WithResource("token", 1)), 8, []dagq.TaskOption{to, dagq.Uses("token", 1)}, nil
			}, kind == "exec"},
		)
	}
	return append(limits,
		crossLimit{"gpu/device", func(t *testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
			return gpuLimit(t, "0", dagq.Local(), 1)
		}, false},
		crossLimit{"gpu/cpu-slot", func(t *testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
			return gpuLimit(t, "0,1", dagq.Local(), 0)
		}, false},
		crossLimit{"gpu/no-devices", func(t *testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
			return gpuLimit(t, "none", dagq.Local(), 1)
		}, false},
		crossLimit{"gpu-exec/device", func(t *testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
			return gpuLimit(t, "0", dagq.Exec(), 1)
		}, true},
		crossLimit{"gpu-fake/device", func(t *testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
			return gpuLimit(t, "0", dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{Duration: time.Second})), 1)
		}, false},
		crossLimit{"pull/next", func(*testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
			p := dagq.NewPull()
			return []dagq.Option{dagq.WithBackend("pull", p)}, 8, []dagq.TaskOption{dagq.OnBackend("pull")}, p
		}, false},
		crossLimit{"user-pull/next", func(*testing.T) ([]dagq.Option, int, []dagq.TaskOption, puller) {
			p := newUserPull()
			return []dagq.Option{dagq.WithBackend("pull", p)}, 8, []dagq.TaskOption{dagq.OnBackend("pull")}, p
		}, false},
	)
}

// serving starts one pull worker on p, unless p is nil: one waiting Next
// at a time, until the returned stop is called, which waits for it.
func serving(parent context.Context, p puller) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	if p == nil {
		return ctx, cancel
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			job, err := p.Next(ctx)
			if err != nil {
				return
			}
			jctx, cancel := p.Context(ctx, job)
			v, err := job.Func(jctx)
			cancel()
			p.Complete(job, v, err)
		}
	}()
	return ctx, func() { cancel(); <-done }
}

// runCrossed runs the workload under policy and limit and returns the
// start order as task indexes.
func runCrossed(t *testing.T, cp crossPolicy, cl crossLimit, workload []crossTask) []int {
	opts, size, taskOpts, pull := cl.setup(t)
	o := &order{}
	c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"q": size}})
	s := dagq.New(append(opts, dagq.WithObserver(o), dagq.WithObserver(c))...)
	q, err := s.Queue("q", size, dagq.WithQueuePolicy(cp.policy))
	require.NoError(t, err)
	futures := make([]dagq.Dep, len(workload))
	for i, ct := range workload {
		to := append(slices.Clone(taskOpts), dagq.Name(fmt.Sprint(i)), dagq.Tenant(ct.tenant),
			dagq.Priority(ct.priority), dagq.Weight(ct.weight), dagq.Cost(ct.cost))
		for _, d := range ct.deps {
			to = append(to, dagq.After(futures[d]))
		}
		if cl.exec {
			futures[i] = dagq.Command(q, []string{"true"}, to...)
		} else {
			futures[i] = dagq.Submit(q, func(context.Context) (int, error) {
				time.Sleep(time.Second) // virtual time: every task takes as long
				return i, nil
			}, to...)
		}
	}
	ctx, stop := serving(t.Context(), pull)
	require.NoError(t, s.Run(ctx))
	stop()
	require.NoError(t, s.Shutdown(context.Background()))
	c.Verify(t)
	var got []int
	for name := range strings.FieldsSeq(o.String()) {
		var i int
		_, err := fmt.Sscan(name, &i)
		require.NoError(t, err)
		got = append(got, i)
	}
	return got
}

// runCrossedIn runs runCrossed in a synctest bubble unless tasks are
// processes.
func runCrossedIn(t *testing.T, cp crossPolicy, cl crossLimit, workload []crossTask) (got []int) {
	if cl.exec {
		return runCrossed(t, cp, cl, workload)
	}
	synctest.Test(t, func(t *testing.T) { got = runCrossed(t, cp, cl, workload) })
	return got
}

func TestPolicyOrderWhateverLimitsTheStart(t *testing.T) {
	t.Parallel()
	for _, cp := range crossPolicies() {
		want := cp.want(crossWorkload)
		for _, cl := range crossLimits() {
			t.Run(cp.name+"/"+cl.name, func(t *testing.T) {
				require.Equal(t, want, runCrossedIn(t, cp, cl, crossWorkload))
			})
		}
	}
}

// With dependencies the oracle is differential: the order on Local with a
// queue of size 1, which must be a topological order, is the order under
// every other limit and backend.
func TestPolicyOrderOfAGraphWhateverLimitsTheStart(t *testing.T) {
	t.Parallel()
	limits := crossLimits()
	for _, cp := range crossPolicies() {
		t.Run(cp.name, func(t *testing.T) {
			want := runCrossedIn(t, cp, limits[0], crossGraph)
			require.Len(t, want, len(crossGraph))
			pos := map[int]int{}
			for p, i := range want {
				pos[i] = p
			}
			for i, ct := range crossGraph {
				for _, d := range ct.deps {
					require.Less(t, pos[d], pos[i], "task %d starts after its dependency %d", i, d)
				}
			}
			for _, cl := range limits[1:] {
				require.Equal(t, want, runCrossedIn(t, cp, cl, crossGraph), cl.name)
			}
		})
	}
}
