package dagq

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// setStatusLocked moves n to status to, keeping the counters, the done
// channel and the observers up to date.
func (e *engine) setStatusLocked(n *node, to Status, kind EventKind, reason string, now int64) {
	from := n.status
	n.status = to
	if from == Blocked && !n.item {
		*e.waits.At(int(n.id - 1)) = 0 // resolution skips it from now on
	}
	if to.Terminal() {
		n.times[atFinished] = now
		if n.done != nil {
			close(n.done)
		}
		if n.x != nil && n.x.feed != nil {
			n.x.feed <- n // Feed
		}
	}
	if n.item {
		return // a stream item is not a task: no counts, events or idle check (stream.go)
	}
	e.counts.add(from, to)
	n.q.counts.add(from, to)
	if e.wantsLocked(kind, from, to, now) {
		e.publishLocked(e.taskEventLocked(kind, n, from, reason, now))
	}
	if to.Terminal() && n.x != nil && n.x.stream != nil {
		n.x.stream.endLocked(now) // settles the items not emitted (stream.go)
	}
	if to.Terminal() && e.counts.Pending() == 0 {
		e.idle.Broadcast()
		if e.state == stateRunning {
			e.emitRunLocked(RunIdle, now)
		}
	}
}

// readyLocked moves a Blocked task whose dependencies are met to Queued.
func (e *engine) readyLocked(n *node, now int64) {
	n.times[atReady] = now
	e.setStatusLocked(n, Queued, TaskQueued, "", now)
	e.pushLocked(n.q, n)
}

// killLocked kills one non-terminal task. It does not touch dependents;
// see resolveLocked.
func (e *engine) killLocked(n *node, reason string, now int64) {
	// The task's error, and its context's cause if it runs; the tasks of a
	// killed subtree share the one of their reason.
	if e.kill == nil || e.kill.reason != reason {
		e.kill = &fate{reason, fmt.Errorf("%w: %s", ErrKilled, reason)}
	}
	switch n.status {
	case Queued:
		if n.inReady {
			e.removeLocked(n.q, n)
		}
		if n.x != nil && n.x.timer != nil {
			n.x.timer.Stop()
			n.x.timer = nil
		}
	case Running:
		err := e.kill.err // its own variable: only a running task's escapes
		n.ctx.CancelLocked(&err)
	}
	if n.x != nil {
		n.x.reason, n.x.err = reason, e.kill.err
	} else {
		n.fate = e.kill // no nodeExtra for it: a killed task's reason is all it needs
	}
	if e.firstKilled == nil && !n.item {
		e.firstKilled = n
	}
	e.setStatusLocked(n, Killed, TaskFinished, reason, now)
}

// resolveBudget and resolveSlice bound the edges one hold of the lock
// follows when a task's end propagates, and how long it may take (timed
// from the 64th edge, checked every 64): a kill of a subtree of millions
// of tasks is done in slices, the lock released between them, so that
// submissions, tasks ending and Stats go on meanwhile.
const (
	resolveBudget = 4096
	resolveSlice  = time.Millisecond
)

// sliceEdges, if not 0, replaces resolveBudget: tests make every
// propagation go through the backlog.
var sliceEdges atomic.Int32

// resolveStep is a task whose dependents are to be told that it ended:
// edge is the next of its out edges to follow once begun.
type resolveStep struct {
	n     *node
	edge  int32
	begun bool
	why   string // the reason given to the dependents it kills
}

// resolveLocked tells the dependents of n, which just became terminal,
// and transitively theirs: AllSucceeded dependents of a task that did not
// succeed are killed, the others count it and become ready when their
// rule is met. A plain dependent of a task that succeeded is counted
// through its edge alone (see edge). It follows up to resolveBudget edges
// at once; the rest is left in the backlog, which a goroutine of the
// engine drains in slices of that size, releasing the lock between them
// (Cancel and Shutdown wait for it). Meanwhile the tasks not reached yet
// stay Blocked, and no task starts (dispatchAtLocked): those the backlog
// will ready might come first by policy, and the dependents of a task are
// settled before anything else starts, as if at once. Everything else
// goes on: submissions, tasks ending, Stats, observers.
func (e *engine) resolveLocked(root *node, now int64) {
	e.backlog = append(e.backlog, resolveStep{n: root})
	if !e.drainLocked(now) && !e.resolving {
		e.resolving = true
		go e.drainBacklog()
	}
}

// drainBacklog resolves the backlog a slice at a time until it is empty.
func (e *engine) drainBacklog() {
	for {
		e.mu.Lock()
		done := e.drainLocked(e.now())
		e.dispatchLocked(false)
		if done {
			e.resolving = false
			e.resolved.Broadcast()
			e.mu.Unlock()
			return
		}
		e.mu.Unlock()
		runtime.Gosched()
	}
}

// awaitResolvedLocked waits, releasing the lock meanwhile, until the
// backlog is drained.
func (e *engine) awaitResolvedLocked() {
	for e.resolving {
		e.resolved.Wait(&e.mu, nil)
	}
}

// drainLocked follows up to resolveBudget edges of the backlog and
// reports whether it is empty.
func (e *engine) drainLocked(now int64) bool {
	budget := resolveBudget
	var began time.Time // read at the first check, after 64 edges: most ends follow fewer and read no clock
	if n := sliceEdges.Load(); n > 0 {
		budget = int(n)
	}
	stack := e.backlog
	for len(stack) > 0 && budget > 0 {
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := st.n
		if !st.begun {
			st.begun, st.edge = true, n.outEdge
			if n.keyed {
				stack = e.settleTwinsLocked(n, stack, now)
			}
		}
		ok := n.status == Succeeded
		for st.edge != 0 && budget > 0 {
			if budget--; budget%64 == 0 {
				if began.IsZero() {
					began = time.Now()
				} else if time.Since(began) > resolveSlice {
					budget = 0
				}
			}
			ed := *e.edges.At(int(st.edge))
			st.edge = ed.next
			if ed.kind() == edgePlain && ok {
				if e.countDownLocked(ed.id()) {
					e.readyLocked(e.taskLocked(ed.id()), now)
				}
				continue
			}
			if ed.kind() == edgeItem { // n is a stream that ended: items it did not emit ended with it (stream.go)
				if d := *e.items.At(int(ed.id())); d.status != Succeeded {
					stack = append(stack, resolveStep{n: d})
				}
				continue
			}
			d := e.taskLocked(ed.id())
			if d.status != Blocked {
				continue
			}
			if d.trigger == AllSucceeded && !ok {
				if st.why == "" {
					st.why = n.blame()
				}
				d.heir = true
				e.killLocked(d, st.why, now)
				stack = append(stack, resolveStep{n: d})
				continue
			}
			if n.busy {
				// n was killed while its attempt runs: a dependent that
				// may run now (cleanup) waits until the attempt returned,
				// an Exec task's process group gone (finish).
				n.extra().lateDeps = true
				continue
			}
			if e.decideLocked(n, d, ok, now) {
				stack = append(stack, resolveStep{n: d})
			}
		}
		if st.edge != 0 {
			stack = append(stack, st) // resumed first, in the next slice
		}
	}
	if len(stack) == 0 {
		clear(stack[:cap(stack)])
		e.backlog = stack
		return true
	}
	e.backlog = stack
	return false
}

// decideLocked counts n, terminal, as one more finished dependency of d,
// Blocked under AnySucceeded or AllDone, and readies d if that was its
// last, or kills it if none succeeded under AnySucceeded; it reports
// whether it killed d.
func (e *engine) decideLocked(n, d *node, ok bool, now int64) (killed bool) {
	if ok {
		d.succeeded++
	}
	if !e.countDownLocked(d.id) {
		return false
	}
	if d.trigger == AnySucceeded && d.succeeded == 0 {
		e.killLocked(d, "no dependency succeeded; last: "+n.blame(), now)
		return true
	}
	e.readyLocked(d, now)
	return false
}

// settleLateLocked decides the dependents that n, killed while its attempt
// ran, kept Blocked until that attempt returned.
func (e *engine) settleLateLocked(n *node, now int64) {
	n.x.lateDeps = false
	for ei := n.outEdge; ei != 0; {
		ed := *e.edges.At(int(ei))
		ei = ed.next
		if ed.kind() != edgeTask {
			continue
		}
		if d := e.taskLocked(ed.id()); d.status == Blocked && d.trigger != AllSucceeded && e.decideLocked(n, d, false, now) {
			e.resolveLocked(d, now)
		}
	}
}

// countDownLocked counts one resolved dependency of task id and reports
// whether that was the last one. A counter already at 0 belongs to a task
// no longer Blocked: nothing changes.
func (e *engine) countDownLocked(id TaskID) bool {
	p := e.waits.At(int(id - 1))
	if *p <= 0 {
		return false
	}
	*p--
	if *p == 1 && e.ranks != nil {
		e.ranks.oneLeftLocked(e.taskLocked(id))
	}
	return *p == 0
}

// roomLocked returns an error if k more tasks would exceed maxTasks.
func (e *engine) roomLocked(k int) error { return room(e.nodes.Len(), k) }

// room returns an error if k more tasks beside held would exceed maxTasks.
func room(held, k int) error {
	if held+k > maxTasks {
		return fmt.Errorf("the scheduler holds %d tasks, at most %d", held, maxTasks)
	}
	return nil
}

// taskLocked returns the task with ID id, which must exist.
func (e *engine) taskLocked(id TaskID) *node { return *e.nodes.At(int(id - 1)) }

// waitingLocked returns how many dependencies n, Blocked, still waits for.
func (e *engine) waitingLocked(n *node) int32 { return *e.waits.At(int(n.id - 1)) }

// dependLocked makes to, being added, wait for d, not yet terminal.
func (e *engine) dependLocked(d, to *node) {
	*e.waits.At(int(to.id - 1))++
	kind := edgePlain
	if to.trigger != AllSucceeded {
		kind = edgeTask
	}
	d.outEdge = e.addEdgeLocked(kind|uint32(to.id), d.outEdge)
}

// addEdgeLocked stores an edge to `to` in front of the list starting at
// head and returns the new head.
func (e *engine) addEdgeLocked(to uint32, head int32) int32 {
	if e.edges.Len() == 0 {
		e.edges.Push(edge{}) // edge 0 ends lists
	}
	return int32(e.edges.Push(edge{to, head}))
}

// blame is the reason given to dependents killed because n did not
// succeed. Tasks killed because of a dependency pass its reason on, so
// every task in a killed subtree names the task that caused it.
func (n *node) blame() string {
	switch {
	case n.heir:
		return n.reason()
	case n.status == Failed:
		return "dependency " + n.label() + " failed: " + unprefixed(n.err())
	default:
		return "dependency " + n.label() + " killed: " + n.reason()
	}
}

// killAllLocked kills every task not yet finished (running ones too if
// running is set), each with a reason "<cause>: killed while <status>".
func (e *engine) killAllLocked(cause string, running bool, now int64) {
	e.killFromLocked(0, -1, cause, running, now)
}

// killFromLocked is killAllLocked from the task with index i on, stopping
// after budget tasks, killed or passed over (< 0: no limit); it returns
// the index to go on from, or -1 once every task was seen.
func (e *engine) killFromLocked(i, budget int, cause string, running bool, now int64) int {
	var reasons [Killed + 1]string // by status: one string for all the tasks killed while Blocked, ...
	for ; i < e.nodes.Len(); i++ {
		if budget == 0 {
			return i
		}
		budget--
		n := *e.nodes.At(i)
		if n.status.Terminal() || (n.status == Running && !running) {
			continue
		}
		if reasons[n.status] == "" {
			reasons[n.status] = cause + ": killed while " + n.status.String()
		}
		e.killLocked(n, reasons[n.status], now)
	}
	return -1
}

// killAllSlicedLocked is killAllLocked in slices of resolveBudget kills,
// releasing the lock between them, and then waits for the backlog: for
// Shutdown, once no task can start any more.
func (e *engine) killAllSlicedLocked(cause string, running bool) {
	for i := 0; i >= 0; {
		if i = e.killFromLocked(i, resolveBudget/4, cause, running, e.now()); i >= 0 {
			e.mu.Unlock()
			runtime.Gosched()
			e.mu.Lock()
		}
	}
	e.awaitResolvedLocked()
}

// taskError returns the error Get reports for a task that did not succeed.
func (n *node) taskError() *TaskError {
	e := &TaskError{ID: n.id, Name: n.name, Status: n.status, Reason: n.reason(), Err: n.err()}
	if n.status == Killed {
		e.Err = ErrKilled
	}
	return e
}
