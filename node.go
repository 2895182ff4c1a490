package dagq

import (
	"context"
	"time"

	"github.com/dagq/dagq/internal/lazyctx"
)

// stamp indexes a node's times.
type stamp uint8

const (
	atSubmitted stamp = iota
	atReady
	atTargeted
	atDispatched
	atFinished
	numStamps
)

// node is one task in the graph. Every field is guarded by the owning
// scheduler's mu, except those set before the node is published (id, name,
// q, backend, body, out, deps, trigger, weight, priority, cost, and the
// tenant and key of x) which never change afterwards; x itself may be made
// later, under mu. Event delivery reads them without the lock
// (event_record.go).
// Its size matters: Future[T] embeds it, and every task allocates one.
type node struct {
	id      TaskID
	name    string
	q       *Queue
	backend *backendEntry
	status  Status
	trigger TriggerRule
	cached  bool
	inReady bool // in its queue's ready set (not held back by a timer)
	busy    bool // a goroutine is executing it (may outlive Running when killed)
	heir    bool // killed because of a dependency: its reason names the culprit
	item    bool // a stream item (stream.go), not a task
	keyed   bool // runs for its Key and saves its result (keys.go); set before it can start

	deps      []*node
	depBuf    [2]*node // backs deps for one or two dependencies
	outEdge   int32    // first edge to a dependent in Scheduler.edges; 0 = none
	succeeded int32    // dependencies that succeeded (AnySucceeded)
	attempts  int32

	weight   float64
	priority int
	cost     float64

	gen uint32 // invalidates its stale entries in ready sets (policy.go)

	times [numStamps]int64 // nanoseconds since the scheduler's epoch; 0 = unset

	body func(context.Context) error // runs a closure task's function; typedBody for typed tasks (out.run)
	out  output                      // the typed future
	done chan struct{}               // closed when terminal; made on demand
	ctx  *lazyctx.Ctx                // the running attempt's context
	ctx1 lazyctx.Ctx                 // the first attempt's: most tasks allocate none
	job  *Job                        // the attempt's job; nil on the local fast path

	x    *nodeExtra // rarely used options
	fate *fate      // why it was killed, for a task killed without a nodeExtra
}

// fate is why tasks were killed: one value shared by every task of a
// subtree killed for the same reason, so that killing millions of tasks
// allocates nothing per task.
type fate struct {
	reason string
	err    error
}

// reason returns why the task was killed or requeued.
func (n *node) reason() string {
	switch {
	case n.fate != nil: // killed, terminal: a nodeExtra made later has no reason
		return n.fate.reason
	case n.x != nil:
		return n.x.reason
	}
	return ""
}

// err returns why the task failed or was killed.
func (n *node) err() error {
	switch {
	case n.fate != nil:
		return n.fate.err
	case n.x != nil:
		return n.x.err
	}
	return nil
}

// nodeExtra holds what most tasks do not use, keeping node small.
type nodeExtra struct {
	tenant      string
	key         string
	timeout     time.Duration
	retries     int
	backoff     time.Duration
	uses        []poolUse
	needs       Resources
	cmd         []string
	env         []string // Env: the command's additions to its backend's environment
	dir         string   // Dir: the command's working directory
	devices     []string
	reason      string             // why it was killed or requeued
	err         error              // why it failed or was killed
	skips       int                // times passed over for lack of capacity (starvation guard)
	busyTries   int                // consecutive ErrBackendBusy answers
	timer       *time.Timer        // pending retry or busy back-off
	stopTimeout context.CancelFunc // releases the running attempt's timeout
	stream      itemSource         // a stream task's items, until it ends (stream.go)
	portable    *portable          // Call: handler and JSON arguments
	doom        error              // a Queued task's failure to come: a plug-in panicked (guard.go)
	lateDeps    bool               // killed while running: dependents wait for the attempt to return
	feed        chan<- *node       // Feed: where the task is posted once terminal (feed.go)
	started     int64              // when the backend began the running attempt (Job.Began); 0 = at dispatch
}

type poolUse struct {
	p      *pool
	amount int
}

// output is implemented by *Future[T]: it accepts a value of the future's
// type from a backend that returns any, and gives a pointer to its value
// for a [Store] to decode a recorded result into.
type output interface {
	setAny(v any) error
	valueAny() any
	valuePtr() any
	run(ctx context.Context) error          // runs the task's function, storing its value
	decodeJSON(raw JSONResult) (any, error) // a value of the future's type, outside the lock
}

// sched returns the task's scheduler, or nil for a task refused before it
// entered one.
func (n *node) sched() *engine {
	if n.q == nil {
		return nil
	}
	return n.q.s
}

func (n *node) extra() *nodeExtra {
	if n.x == nil {
		n.x = &nodeExtra{}
	}
	return n.x
}

func (n *node) tenant() string {
	if n.x == nil {
		return ""
	}
	return n.x.tenant
}

func (n *node) label() string { return label(n.id, n.name) }

// at returns a node's time as a time.Time.
func (n *node) at(k stamp) time.Time {
	return stampTime(n.q.s.epoch, n.times[k])
}

// info returns the node's snapshot. Callers hold s.mu.
func (n *node) info() TaskInfo {
	var r record
	r.captureLocked(n)
	var deps []TaskID
	if len(n.deps) > 0 {
		deps = n.appendDepIDs(make([]TaskID, 0, len(n.deps)))
	}
	return r.taskInfo(n.q.s.epoch, deps)
}

// Task is a read-only handle on a ready task, given to a [Policy]'s
// [ReadySet]. It is a small value: copy it freely, compare it with ==.
// Its methods may only be called from within ReadySet methods, which the
// scheduler calls with its lock held.
type Task struct{ n *node }

// ID returns the task's ID; IDs grow with submission order.
func (t Task) ID() TaskID { return t.n.id }

// Name returns the task's name.
func (t Task) Name() string { return t.n.name }

// Weight returns the task's [Weight].
func (t Task) Weight() float64 { return t.n.weight }

// Priority returns the task's [Priority].
func (t Task) Priority() int { return t.n.priority }

// Cost returns the task's [Cost].
func (t Task) Cost() float64 { return t.n.cost }

// Tenant returns the task's [Tenant].
func (t Task) Tenant() string { return t.n.tenant() }

// Ready returns when the task became ready.
func (t Task) Ready() time.Time { return t.n.at(atReady) }

// Info returns the task's full snapshot. It allocates; prefer the other
// accessors in ordering code.
func (t Task) Info() TaskInfo { return t.n.info() }

// Demand returns the ID of the newest task that transitively depends on
// the task, its own if none: [LatestFirst]'s rank. It is kept while a
// queue uses a [RankedPolicy] with [RankDemand], else it is 0.
func (t Task) Demand() TaskID { return rankOf(t.n).demand }

// Feeds returns how many tasks of other queues wait for this task alone:
// [LatestFirst]'s look-ahead. Kept as Demand is.
func (t Task) Feeds() int { return int(rankOf(t.n).feeds) }

// Remaining returns the longest Cost-weighted path from the task to a
// sink, its own Cost included: [CriticalPath]'s rank. It is kept while a
// queue uses a [RankedPolicy] with [RankPath], else it is 0.
func (t Task) Remaining() float64 { return rankOf(t.n).remaining }

// IsZero reports whether t is the zero Task, which stands for "none".
func (t Task) IsZero() bool { return t.n == nil }

// edge links a task to one of its dependents. Edges of one task form a
// list through next (an edge number in Scheduler.edges, 0 ending it; it
// starts at node.outEdge), so that adding a dependent copies nothing.
//
// An edge names its dependent by number, not pointer: edges hold no
// pointers for the garbage collector to scan, take 8 bytes, and a plain
// dependent (AllSucceeded) of a task that succeeded is counted down in
// Scheduler.waits without being read at all; it is read only when it
// becomes ready. That keeps resolution in cache on large graphs.
type edge struct {
	to   uint32 // edgeKind in the top bits, then a task ID or an index in Scheduler.items
	next int32
}

// The kinds of edge.
const (
	edgePlain uint32 = iota << 30 // to an AllSucceeded task
	edgeTask                      // to a task with another trigger rule
	edgeItem                      // to a stream item (stream_item.go)
	edgeKinds uint32 = 3 << 30
)

// maxTasks bounds the tasks and stream items a scheduler holds, so that
// an edge can name them.
const maxTasks = 1<<30 - 1

func (e edge) kind() uint32 { return e.to & edgeKinds }
func (e edge) id() TaskID   { return TaskID(e.to &^ edgeKinds) }
