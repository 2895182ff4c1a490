package dagq

import (
	"fmt"
	"time"
)

// queueRun is the pacing and limit state of a queue that has a strategy or
// run limits; queues without have none. Guarded by the scheduler's mu.
type queueRun struct {
	next        func() time.Duration // the strategy's schedule; nil without one
	limit       int                  // the strategy's concurrency limit; 0 = none
	maxTasks    int
	maxDuration time.Duration
	maxErrors   int

	started  bool
	start    int64 // when the run started, in scheduler time
	due      int64 // the next release time, in scheduler time; 0 without a strategy
	released int   // tasks started for the first time
	failures int
	ended    string // why the run ended; "" while it goes on
	capped   bool   // a ready task waited for a slot of the strategy's limit
	opened   int64  // when such a slot last freed
	wake     *time.Timer
	wakeAt   int64
	deadline *time.Timer // ends the run at MaxDuration
}

// targetLocked sets Targeted of n, about to start for the first time at
// now: when the queue's strategy meant n to start, so that Dispatched −
// Targeted is how late the scheduler was against that intent, never
// negative. A rate strategy means its release time (set by releaseLocked;
// a queue or scheduler too full to keep up makes the task late). A queue
// without a strategy, or whose strategy limits concurrency (Synchronous,
// Concurrent, Throughput with a limit), means "when a slot frees": the
// task is targeted at the later of its release, its Ready, and the last
// time a slot of its queue, of its strategy or of the global parallelism
// freed after all were taken.
func (e *engine) targetLocked(n *node, now int64) {
	t := n.times[atTargeted]
	if t == 0 {
		t = n.times[atReady]
	}
	if r := n.q.run; r == nil || r.next == nil || r.limit > 0 {
		t = max(t, n.q.opened, e.opened)
	}
	n.times[atTargeted] = min(t, now)
}

// releasableLocked reports whether q, which has a free slot and whose best
// ready task is n, may start n now. It starts q's run on first use, and
// arms a timer when n must wait for its release time.
func (e *engine) releasableLocked(q *Queue, n *node) bool {
	r := q.run
	if r.limit > 0 && q.busy >= r.limit {
		r.capped = true
		return false
	}
	if n.times[atDispatched] != 0 {
		return true // a retry: released already
	}
	now := e.now()
	if r.capped {
		r.capped, r.opened = false, now
	}
	if !r.started {
		e.startRunLocked(q, now)
	}
	if r.maxDuration > 0 && max(now, r.due) >= r.start+int64(r.maxDuration) {
		return false // past the run's end: its deadline timer ends it
	}
	if r.next == nil || now >= r.due {
		return true
	}
	e.wakeLocked(q, now)
	return false
}

// startRunLocked starts q's run: its schedule counts from now.
func (e *engine) startRunLocked(q *Queue, now int64) {
	r := q.run
	r.started, r.start = true, now
	if r.next != nil {
		r.due = now + int64(r.next())
	}
	if r.maxDuration > 0 {
		why := fmt.Sprintf("MaxDuration(%v) reached", r.maxDuration)
		r.deadline = time.AfterFunc(r.maxDuration, func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.endRunLocked(q, why, nil, false, e.now())
		})
	}
}

// releaseLocked records that n, picked from q, starts: it takes the next
// release time as its Targeted time (or a later time when it was ready,
// or a slot freed, later) and counts towards MaxTasks. A task that starts
// again (a retry) was released already.
//
// A task of a Feed pulled after its timed release (the feed was held back
// by outstanding work, so the queue could not keep up) keeps that release
// as its Targeted time, as in guidellm: the lag shows as queue delay.
func (e *engine) releaseLocked(q *Queue, n *node) {
	r := q.run
	if n.times[atDispatched] != 0 {
		return
	}
	if r.next != nil {
		ready := n.times[atReady]
		if n.x != nil && n.x.feed != nil && r.due > r.start {
			ready = 0
		}
		n.times[atTargeted] = max(r.due, ready, r.opened)
		// The next release is never before this one.
		r.due = max(r.start+int64(e.nextLocked(q)), n.times[atTargeted])
	}
	r.released++
	if r.maxTasks > 0 && r.released >= r.maxTasks {
		e.endRunLocked(q, fmt.Sprintf("MaxTasks(%d) reached", r.maxTasks), n, false, e.now())
	}
}

// wakeLocked arms q's timer to retry dispatch at its next release time.
func (e *engine) wakeLocked(q *Queue, now int64) {
	r := q.run
	if r.wake != nil {
		if r.wakeAt <= r.due {
			return // fires first and re-arms if needed
		}
		r.wake.Stop()
	}
	var t *time.Timer
	t = time.AfterFunc(time.Duration(r.due-now), func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if r.wake == t {
			r.wake = nil
		}
		e.dispatchLocked(false)
	})
	r.wake, r.wakeAt = t, r.due
}

// stopTimers stops the run's timers.
func (r *queueRun) stopTimers() {
	if r.wake != nil {
		r.wake.Stop()
		r.wake = nil
	}
	if r.deadline != nil {
		r.deadline.Stop()
		r.deadline = nil
	}
}
