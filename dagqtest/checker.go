// Package dagqtest helps test programs that use dagq. Its [Checker] is an
// observer that verifies, at every event of a run, the invariants dagq
// promises; attach it to a scheduler in a test and call
// [Checker.Verify] at the end:
//
//	c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"cpu": 4}})
//	s := dagq.New(dagq.WithObserver(c))
//	... submit, run, shut down ...
//	c.Verify(t)
//
// The package depends only on the standard library and dagq.
package dagqtest

import (
	"fmt"
	"strings"
	"sync"

	"github.com/dagq/dagq"
)

// maxKept bounds how many violations a Checker keeps (it counts them all).
const maxKept = 50

// Checker is a [dagq.Observer] that checks every event of a run against
// dagq's invariants:
//
//   - each task's events follow its life: the first is TaskSubmitted
//     (none → Blocked), each starts from the status the previous one ended
//     in, and the event's kind matches the transition;
//   - transitions go only Blocked → Queued → Running → {Succeeded, Failed},
//     Running → Queued (a retry, or a busy backend), Blocked → Failed (a
//     task refused at submission), Queued → Failed (a plug-in of its queue
//     or backend panicked), Blocked → Succeeded (only for a Cached
//     task, deduplicated by Key), and any non-terminal status → Killed;
//   - a task becomes Queued and starts only when its dependencies allow it:
//     all succeeded for AllSucceeded, all finished and one succeeded for
//     AnySucceeded, all finished for AllDone (a dependency on a stream that
//     has emitted items counts as met: it may stand for one of its items,
//     which TaskInfo.Deps reports as the stream);
//   - dependents are settled at once: when a task starts, no Blocked task
//     is left whose trigger rule is already decided by its dependencies
//     (tasks with a Key are exempt: they may wait for a twin's outcome; so
//     are AnySucceeded and AllDone tasks with a dependency killed while
//     running: they wait for its attempt to return);
//   - no queue and not the whole scheduler runs more tasks than [Limits]
//     allow, also while sizes change through [Checker.SetSize] and
//     [Checker.SetParallelism];
//   - each event's Stats equal the counts the events so far add up to, the
//     counts of the event's queue included, and the queues' counts sum to
//     the total; RunIdle comes only when nothing is pending, and nothing
//     comes after RunStopped;
//   - each task reaches a terminal status exactly once (checked at once
//     for "at most", by [Checker.Verify] for "at least").
//
// Give it to the scheduler with dagq.WithObserver, so that it sees every
// event from the first. Its methods are safe for concurrent use. It keeps
// a few words per task: fine for millions of tasks.
type Checker struct {
	limits *limits

	mu         sync.Mutex // guards the fields below
	tasks      map[dagq.TaskID]*task
	counts     dagq.Counts
	queues     map[string]*dagq.Counts
	running    map[string]int // by queue
	allRunning int
	maxRunning map[string]int // "" for all queues
	undecided  map[dagq.TaskID]bool
	started    []dagq.TaskID
	stopped    bool
	events     int64
	checks     int64
	violations int
	kept       []string
}

// task is what the Checker knows of one task.
type task struct {
	status     dagq.Status
	trigger    dagq.TriggerRule
	keyed      bool // has a Key: may adopt a twin's outcome
	terminal   int
	items      int  // stream items emitted (TaskItem events)
	killed     bool // killed while running: its attempt may still run
	deps       []dagq.TaskID
	dependents []dagq.TaskID
}

// NewChecker returns a Checker that enforces l.
func NewChecker(l Limits) *Checker {
	return &Checker{
		limits:     newLimits(l),
		tasks:      map[dagq.TaskID]*task{},
		queues:     map[string]*dagq.Counts{},
		running:    map[string]int{},
		maxRunning: map[string]int{},
		undecided:  map[dagq.TaskID]bool{},
	}
}

// ok counts one check and reports whether it held.
func (c *Checker) ok(cond bool) bool {
	c.checks++
	return cond
}

func (c *Checker) fail(format string, a ...any) {
	c.violations++
	if len(c.kept) < maxKept {
		c.kept = append(c.kept, fmt.Sprintf(format, a...))
	}
}

// legal lists the allowed transitions; Blocked → Succeeded also needs
// the task to be Cached.
var legal = map[[2]dagq.Status]bool{
	{0, dagq.Blocked}:              true,
	{dagq.Blocked, dagq.Queued}:    true,
	{dagq.Queued, dagq.Running}:    true,
	{dagq.Running, dagq.Queued}:    true,
	{dagq.Running, dagq.Succeeded}: true,
	{dagq.Running, dagq.Failed}:    true,
	{dagq.Blocked, dagq.Failed}:    true,
	{dagq.Queued, dagq.Failed}:     true,
	{dagq.Blocked, dagq.Succeeded}: true,
	{dagq.Blocked, dagq.Killed}:    true,
	{dagq.Queued, dagq.Killed}:     true,
	{dagq.Running, dagq.Killed}:    true,
}

// kindOf is the event kind of a transition to a status.
var kindOf = map[dagq.Status]dagq.EventKind{
	dagq.Blocked:   dagq.TaskSubmitted,
	dagq.Queued:    dagq.TaskQueued,
	dagq.Running:   dagq.TaskStarted,
	dagq.Succeeded: dagq.TaskFinished,
	dagq.Failed:    dagq.TaskFinished,
	dagq.Killed:    dagq.TaskFinished,
}

// Observe checks one event. The scheduler calls it; tests do not need to.
func (c *Checker) Observe(e dagq.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events++
	if !c.ok(!c.stopped) {
		c.fail("%s after RunStopped", e.Kind)
	}
	switch {
	case e.Kind == dagq.RunStopped:
		c.stopped = true
	case e.Kind == dagq.RunIdle:
		if !c.ok(e.Stats.Pending() == 0) {
			c.fail("RunIdle with %d tasks pending", e.Stats.Pending())
		}
	case e.Task.ID != 0 && e.Kind == dagq.TaskItem:
		t := c.tasks[e.Task.ID]
		if !c.ok(t != nil && t.status == dagq.Running && e.From == e.To) {
			c.fail("task %d: item event %s -> %s while not running", e.Task.ID, e.From, e.To)
		} else {
			t.items++
		}
	case e.Task.ID != 0:
		c.transition(e)
	}
	c.checkStats(e)
}

// transition checks and applies a task's status change.
func (c *Checker) transition(e dagq.Event) {
	id := e.Task.ID
	t := c.tasks[id]
	if t == nil {
		t = &task{}
		c.tasks[id] = t
	}
	if !c.ok(t.status == e.From) {
		c.fail("task %d: %s event from %s, but it was %s", id, e.Kind, e.From, t.status)
	}
	if !c.ok(legal[[2]dagq.Status{e.From, e.To}] && (e.From != dagq.Blocked || e.To != dagq.Succeeded || e.Task.Cached)) {
		c.fail("task %d: illegal transition %s -> %s", id, e.From, e.To)
	}
	if !c.ok(e.Kind == kindOf[e.To] && e.Task.Status == e.To) {
		c.fail("task %d: %s event for %s -> %s with the task %s", id, e.Kind, e.From, e.To, e.Task.Status)
	}
	if e.From == 0 {
		c.submitted(t, id, e)
	}
	t.status = e.To
	c.count(e.Task.Queue, e.From, e.To)
	switch {
	case e.To == dagq.Queued && e.From == dagq.Blocked:
		c.checkDeps(t, id, "became ready")
	case e.To == dagq.Running:
		c.started = append(c.started, id)
		c.checkDeps(t, id, "started")
		if !c.ok(len(c.undecided) == 0) {
			c.fail("task %d started while %d blocked tasks had their dependencies settled (e.g. task %d)", id, len(c.undecided), anyKey(c.undecided))
		}
		c.checkRunning(e)
	}
	if e.From == dagq.Running {
		c.running[e.Task.Queue]--
		c.allRunning--
		t.killed = e.To == dagq.Killed
	}
	if e.From == dagq.Blocked {
		delete(c.undecided, id)
	}
	if e.To.Terminal() {
		t.terminal++
		if !c.ok(t.terminal == 1) {
			c.fail("task %d reached a terminal status %d times", id, t.terminal)
		}
		for _, d := range t.dependents {
			c.settle(d)
		}
	}
}

// submitted records a new task and links it to its dependencies.
func (c *Checker) submitted(t *task, id dagq.TaskID, e dagq.Event) {
	t.trigger, t.keyed = e.Task.Trigger, e.Task.Key != ""
	for _, d := range e.Task.Deps {
		dt := c.tasks[d]
		if !c.ok(dt != nil) {
			c.fail("task %d depends on task %d, never submitted", id, d)
			continue
		}
		t.deps = append(t.deps, d)
		dt.dependents = append(dt.dependents, id)
	}
}

// rule reports whether t's trigger rule is decided (all its dependencies
// that matter have finished) and whether it allows t to run. A dependency
// on a stream that emitted items may stand for one of its items (TaskInfo
// names the stream): it allows t to run, and leaves the rule undecided
// unless the stream succeeded.
func (c *Checker) rule(t *task) (decided, run bool) {
	finished, succeeded, items := 0, 0, 0
	for _, d := range t.deps {
		switch dt := c.tasks[d]; {
		case dt.status == dagq.Succeeded:
			finished++
			succeeded++
		case dt.items > 0:
			items++
		case dt.status == dagq.Failed, dt.status == dagq.Killed:
			if t.trigger == dagq.AllSucceeded {
				return true, false
			}
			finished++
		}
	}
	if finished+items < len(t.deps) {
		return false, false
	}
	return items == 0, t.trigger != dagq.AnySucceeded || succeeded+items > 0 || len(t.deps) == 0
}

func (c *Checker) checkDeps(t *task, id dagq.TaskID, what string) {
	if _, run := c.rule(t); !c.ok(run) {
		states := make([]string, len(t.deps))
		for i, d := range t.deps {
			states[i] = fmt.Sprintf("%d:%s", d, c.tasks[d].status)
		}
		c.fail("task %d (%s) %s with dependencies %s", id, t.trigger, what, strings.Join(states, " "))
	}
}

// settle notes that dependent id must leave Blocked before the next start
// if its dependencies now decide its fate. A task with a Key is exempt: it
// may wait for the outcome of a twin instead.
func (c *Checker) settle(id dagq.TaskID) {
	if t := c.tasks[id]; t.status == dagq.Blocked && !t.keyed && !c.waitsForAttempt(t) {
		if decided, _ := c.rule(t); decided {
			c.undecided[id] = true
		}
	}
}

// waitsForAttempt reports whether t, AnySucceeded or AllDone, has a
// dependency killed while running, whose attempt it waits for.
func (c *Checker) waitsForAttempt(t *task) bool {
	if t.trigger == dagq.AllSucceeded {
		return false
	}
	for _, d := range t.deps {
		if c.tasks[d].killed {
			return true
		}
	}
	return false
}

// checkRunning counts a start against the limits in force at its time.
func (c *Checker) checkRunning(e dagq.Event) {
	q := e.Task.Queue
	c.running[q]++
	c.allRunning++
	c.maxRunning[q] = max(c.maxRunning[q], c.running[q])
	c.maxRunning[""] = max(c.maxRunning[""], c.allRunning)
	if limit := c.limits.queueAt(q, e.Time); !c.ok(c.running[q] <= limit) {
		c.fail("task %d started: queue %s runs %d tasks, size %d", e.Task.ID, q, c.running[q], limit)
	}
	if limit := c.limits.globalAt(e.Time); !c.ok(c.allRunning <= limit) {
		c.fail("task %d started: %d tasks run, parallelism %d", e.Task.ID, c.allRunning, limit)
	}
}

func anyKey(m map[dagq.TaskID]bool) dagq.TaskID {
	for k := range m {
		return k
	}
	return 0
}
