package dagq

import (
	"context"
	"time"
)

// stamp indexes a node's times.
type stamp uint8

const (
	atSubmitted stamp = iota
	atReady
	atTargeted
	atDispatched
	atStarted
	atFinished
	numStamps
)

// node is one task in the graph. Every field is guarded by the owning
// scheduler's mu, except those set before the node is published (id, name,
// q, backend, body, out, deps, trigger, x) which never change afterwards.
type node struct {
	s       *Scheduler
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

	reason string
	err    error

	deps       []*node
	depBuf     [2]*node // backs deps for one or two dependencies
	dependents []*node
	waiting    int32 // dependencies not yet resolved for the trigger rule
	succeeded  int32 // dependencies that succeeded (AnySucceeded)
	attempts   int32

	weight   float64
	priority int
	cost     float64

	// k1, k2 order ready tasks: higher k1 first, then higher k2. Policies
	// set them when the task is pushed; gen invalidates stale heap entries.
	k1, k2 float64
	gen    uint32

	times [numStamps]int64 // nanoseconds since the scheduler's epoch; 0 = unset

	body   func(context.Context) error // runs the typed function, storing its value
	out    output                      // the typed future
	done   chan struct{}               // closed when terminal; made on demand
	ctx    context.Context             // the running attempt's context
	cancel context.CancelCauseFunc     // cancels the running attempt
	job    *Job                        // the attempt's job; nil on the local fast path

	x *nodeExtra // rarely used options
}

// nodeExtra holds what most tasks do not use, keeping node small.
type nodeExtra struct {
	tenant    string
	key       string
	timeout   time.Duration
	retries   int
	backoff   time.Duration
	uses      []poolUse
	needs     Resources
	cmd       []string
	devices   []string
	skips     int // times passed over for lack of capacity (starvation guard)
	busyTries int // consecutive ErrBackendBusy answers
	depIDs    []TaskID
	timer     *time.Timer // pending retry or busy back-off
	portable  *portable   // Call: handler and JSON arguments
}

type poolUse struct {
	p      *pool
	amount int
}

// output is implemented by *Future[T]: it accepts a value of the future's
// type from a backend that returns any.
type output interface {
	setAny(v any) error
	valueAny() any
	decodeJSON(raw JSONResult) (any, error) // a value of the future's type, outside the lock
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
	if n.times[k] == 0 {
		return time.Time{}
	}
	return n.s.epoch.Add(time.Duration(n.times[k]))
}

// info returns the node's snapshot. Callers hold s.mu.
func (n *node) info() TaskInfo {
	i := TaskInfo{
		ID:       n.id,
		Name:     n.name,
		Queue:    n.q.name,
		Backend:  n.backend.name,
		Status:   n.status,
		Reason:   n.reason,
		Err:      n.err,
		Attempts: int(n.attempts),
		Cached:   n.cached,
		Weight:   n.weight,
		Priority: n.priority,
		Cost:     n.cost,
		Trigger:  n.trigger,
	}
	if len(n.deps) > 0 {
		i.Deps = n.depIDs()
	}
	if n.x != nil {
		i.Tenant, i.Key, i.Devices = n.x.tenant, n.x.key, n.x.devices
	}
	i.Submitted, i.Ready, i.Targeted = n.at(atSubmitted), n.at(atReady), n.at(atTargeted)
	i.Dispatched, i.Started, i.Finished = n.at(atDispatched), n.at(atStarted), n.at(atFinished)
	return i
}

// depIDs returns the dependencies' IDs, computed once and shared by
// snapshots (read-only).
func (n *node) depIDs() []TaskID {
	x := n.extra()
	if x.depIDs == nil {
		x.depIDs = make([]TaskID, len(n.deps))
		for i, d := range n.deps {
			x.depIDs[i] = d.id
		}
	}
	return x.depIDs
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

// IsZero reports whether t is the zero Task, which stands for "none".
func (t Task) IsZero() bool { return t.n == nil }
