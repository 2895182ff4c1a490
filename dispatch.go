package dagq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dagq/dagq/internal/lazyctx"
)

// maxSkips bounds how many ready tasks that do not fit (a pool or a
// backend is full) one queue looks past in one dispatch round.
const maxSkips = 64

// dispatchLocked starts ready tasks while slots are free. With self set it
// returns the first task it started for the calling worker to run (so a
// worker chains from task to task without a goroutine switch) and starts a
// goroutine for each other one; without, it starts goroutines for all.
func (e *engine) dispatchLocked(self bool) (mine *node) {
	return e.dispatchAtLocked(self, 0)
}

// dispatchAtLocked is dispatchLocked with the time already read by the
// caller (0: read it when a task starts), saving a clock read per task on
// a worker's path.
func (e *engine) dispatchAtLocked(self bool, now int64) (mine *node) {
	if len(e.doomed) > 0 {
		now = e.failDoomedLocked(now)
	}
	// No task starts while a propagation is left in the backlog: the
	// tasks it will ready might come first by policy (resolve.go).
	if e.state != stateRunning || e.paused || len(e.backlog) > 0 {
		return nil
	}
	for e.parallelism == 0 || e.busy < e.parallelism {
		n := e.pickLocked()
		if n == nil {
			break
		}
		if now == 0 {
			now = e.now()
		}
		e.startLocked(n, now)
		if self && mine == nil {
			mine = n
			continue
		}
		e.workers.Add(1)
		go e.work(n)
	}
	if e.parallelism > 0 && e.busy >= e.parallelism {
		e.capped = true
	}
	e.restoreSkippedLocked()
	return mine
}

// pickLocked pops the best ready task that fits, across the queues with a
// free slot: each queue's head by its policy, the best head overall first.
// Tasks that do not fit their pools or backend are set aside (not
// head-of-line blocking) and put back by restoreSkippedLocked.
func (e *engine) pickLocked() *node {
	if len(e.reservers) > 0 {
		if n := e.pickReserverLocked(); n != nil {
			return n
		}
	}
	for {
		var best *node
		var bq *Queue
		var bk1, bk2 float64
		keyed := false // bk1, bk2 hold best's keys: asked once a second head competes
		for _, q := range e.queueList {
			if q.busy >= q.size {
				q.capped = true
				continue
			}
			if q.full || q.broken != nil {
				continue
			}
			n := e.peekLocked(q)
			if n == nil || (q.run != nil && !e.releasableLocked(q, n)) {
				continue
			}
			if e.ranks != nil && e.ranks.to > e.ranks.from {
				e.ranks.flushLocked() // only re-keys tasks already in ready sets
				n = e.peekLocked(q)
			}
			if best == nil {
				best, bq = n, q
				continue
			}
			if !keyed {
				bk1, bk2 = e.keysLocked(bq, best)
				keyed = true
			}
			if k1, k2 := e.keysLocked(q, n); k1 > bk1 || (k1 == bk1 && k2 > bk2) {
				best, bq, bk1, bk2 = n, q, k1, k2
			}
		}
		if best == nil {
			return nil
		}
		if !e.popLocked(bq) {
			continue // bq broke: best is doomed with its other tasks
		}
		best.inReady = false
		if e.acquireLocked(best) {
			if bq.run != nil {
				e.releaseLocked(bq, best)
			}
			return best
		}
		bq.skipped = append(bq.skipped, best)
		if len(bq.skipped) >= maxSkips {
			bq.full = true
		}
	}
}

func (e *engine) restoreSkippedLocked() {
	for _, q := range e.queueList {
		for i := len(q.skipped) - 1; i >= 0; i-- {
			if n := q.skipped[i]; n.status == Queued {
				e.restoreLocked(q, n)
			}
			q.skipped[i] = nil
		}
		q.skipped = q.skipped[:0]
		q.full = false
	}
}

// starveAfter is how many times a task may be passed over for lack of
// pool or backend capacity before it reserves what it waits for.
const starveAfter = 16

// acquireLocked claims n's pools and backend capacity, all or nothing.
func (e *engine) acquireLocked(n *node) bool {
	if n.x == nil && n.backend.capa == nil {
		return true
	}
	x := n.extra()
	for _, u := range x.uses {
		if !u.p.fits(n, u.amount) {
			e.passOverLocked(n, &u.p.reservedBy)
			return false
		}
	}
	if b := n.backend; b.capa != nil {
		if r := b.reservedBy; r != nil && r != n && r.status == Queued {
			return false
		}
		job := e.jobLocked(n)
		if !e.acquireSafely(n, b, job) {
			if n.doomedLocked() {
				return false // Acquire panicked: n fails, nothing to pass over
			}
			if !b.uniform { // see UniformCapacity
				e.passOverLocked(n, &b.reservedBy)
			}
			return false
		}
		if b.reservedBy == n {
			b.reservedBy = nil
		}
		x.devices = job.Devices
	}
	for _, u := range x.uses {
		u.p.used += u.amount
		if u.p.reservedBy == n {
			u.p.reservedBy = nil
		}
	}
	return true
}

// passOverLocked counts one more pass-over of n and, past starveAfter,
// reserves the capacity n waits for: nothing else takes it until n starts.
func (e *engine) passOverLocked(n *node, reservedBy **node) {
	n.x.skips++
	if n.x.skips >= starveAfter && *reservedBy != n && !n.waitsForReservation() {
		*reservedBy = n
		e.reservers = append(e.reservers, n)
	}
}

// pickReserverLocked starts a task that reserved a pool or backend as soon
// as it fits, wherever it stands in its queue: the tasks ahead of it may
// all wait for what it reserved, and a queue looks past only maxSkips of
// them. Reservers that left the Queued status are forgotten.
func (e *engine) pickReserverLocked() *node {
	var pick *node
	live := e.reservers[:0]
	for _, r := range e.reservers {
		if r.status != Queued {
			continue
		}
		if pick == nil && r.inReady && r.q.busy < r.q.size &&
			(r.q.run == nil || e.releasableLocked(r.q, r)) && e.acquireLocked(r) {
			e.removeLocked(r.q, r)
			if r.q.run != nil {
				e.releaseLocked(r.q, r)
			}
			pick = r
			continue
		}
		live = append(live, r)
	}
	clear(e.reservers[len(live):])
	e.reservers = live
	return pick
}

// waitsForReservation reports whether another Queued task has reserved a
// pool or the backend n needs. Such a task reserves nothing itself: two
// tasks each holding what the other waits for would wait forever.
func (n *node) waitsForReservation() bool {
	other := func(r *node) bool { return r != nil && r != n && r.status == Queued }
	for _, u := range n.x.uses {
		if other(u.p.reservedBy) {
			return true
		}
	}
	return other(n.backend.reservedBy)
}

// jobLocked returns the Job of n's current attempt, making it if needed.
func (e *engine) jobLocked(n *node) *Job {
	if n.job != nil {
		return n.job
	}
	j := &Job{ID: n.id, Name: n.name, Queue: n.q.name, Attempt: int(n.attempts) + 1, Priority: n.priority, task: n}
	if n.body != nil {
		j.Func = n.call
	}
	if n.x != nil {
		j.Cmd, j.Env, j.Dir, j.Needs, j.Key = n.x.cmd, n.x.env, n.x.dir, n.x.needs, n.x.key
		if n.x.portable != nil {
			j.Handler, j.portable = n.x.portable.handler, n.x.portable
		}
	}
	n.job = j
	return j
}

// call adapts the typed body to Job.Func.
func (n *node) call(ctx context.Context) (any, error) {
	if err := n.runBody(ctx); err != nil {
		return nil, err
	}
	if n.out == nil {
		return nil, nil
	}
	return n.out.valueAny(), nil
}

// startLocked moves n to Running and prepares its attempt's context.
func (e *engine) startLocked(n *node, now int64) {
	q := n.q
	if !n.backend.local && n.job == nil {
		e.jobLocked(n)
	}
	n.attempts++
	n.busy = true
	q.busy++
	e.busy++
	if n.times[atDispatched] == 0 {
		e.targetLocked(n, now)
	}
	n.times[atDispatched] = now
	if n.x != nil {
		n.x.started = 0 // until its backend says it began (Job.Began)
	}
	ctx := e.runCtx
	if n.x != nil {
		if n.x.timeout > 0 {
			var stop context.CancelFunc
			ctx, stop = context.WithTimeoutCause(ctx, n.x.timeout, timeoutError(n.x.timeout))
			n.x.stopTimeout = stop
		}
		if len(n.x.devices) > 0 {
			ctx = context.WithValue(ctx, devicesKey{}, n.x.devices)
		}
	}
	if !n.ctx1.Used() {
		n.ctx = &n.ctx1
	} else {
		n.ctx = new(lazyctx.Ctx) // an earlier attempt's context may still be in use
	}
	n.ctx.Init(ctx, &e.mu)
	if q.tracker != nil && q.broken == nil {
		e.trackLocked(q, n, true)
	}
	e.setStatusLocked(n, Running, TaskStarted, "", now)
}

// timeoutError is the error of an attempt that outlived its Timeout d.
func timeoutError(d time.Duration) error {
	return fmt.Errorf("%w: task timed out after %v", context.DeadlineExceeded, d)
}

// overtime returns the error of an attempt that returned no error but
// outlived its Timeout: a body that ignores its context and returns nil
// late fails as one cut short would, whatever the backend. It runs on the
// attempt's worker, which owns the context until finish; an attempt with
// the run's own context (no Timeout, no devices) costs one comparison.
func (e *engine) overtime(c *lazyctx.Ctx) error {
	parent := c.Parent()
	if parent == e.runCtx {
		return nil
	}
	dl, ok := parent.Deadline()
	if !ok || time.Now().Before(dl) {
		return nil
	}
	if cause := context.Cause(parent); cause != nil {
		if errors.Is(cause, context.DeadlineExceeded) {
			return cause // the Timeout's own error
		}
		return nil // cancelled for another reason: the kill says why
	}
	return fmt.Errorf("%w: task outlived its deadline", context.DeadlineExceeded)
}

// work runs tasks on a worker goroutine until no more can start.
func (e *engine) work(n *node) {
	defer e.workers.Done()
	for n != nil {
		v, err := n.execute()
		if err == nil {
			err = e.overtime(n.ctx) // before its result is saved
		}
		if err == nil && n.keyed {
			err = e.saveKey(n, v)
		}
		n = e.finish(n, v, err)
	}
}

// execute runs one attempt of n, outside the lock.
func (n *node) execute() (v any, err error) {
	defer recoverTo(&err)
	if n.job == nil {
		return nil, n.runBody(n.ctx)
	}
	return n.runJob()
}

// finish records the outcome of an attempt and returns the next task for
// the same worker, if any.
func (e *engine) finish(n *node, v any, err error) *node {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err != nil && e.state == stateRunning && e.startCtx.Err() != nil {
		e.abortLocked()
	}
	now := e.now()
	q := n.q
	n.busy = false
	q.busy--
	e.busy--
	if q.capped {
		q.capped, q.opened = false, now
	}
	if e.capped {
		e.capped, e.opened = false, now
	}
	if n.x != nil && n.x.stopTimeout != nil {
		n.x.stopTimeout()
		n.x.stopTimeout = nil
	}
	n.ctx.ReleaseLocked()
	n.ctx = nil
	if b := n.backend; b.capa != nil && n.job != nil {
		if rerr := releaseSafely(b, n.job); rerr != nil && err == nil {
			err = rerr
		}
	}
	if n.x != nil {
		for _, u := range n.x.uses {
			u.p.used -= u.amount
		}
	}
	if q.tracker != nil && q.broken == nil {
		e.trackLocked(q, n, false)
	}
	n.job = nil
	if n.status == Running {
		e.outcomeLocked(n, v, err, now)
	} else if n.x != nil && n.x.lateDeps {
		e.settleLateLocked(n, now)
	}
	if e.busy == 0 {
		e.quiet.Broadcast()
	}
	return e.dispatchAtLocked(true, now)
}

// outcomeLocked settles a Running task after its attempt returned.
func (e *engine) outcomeLocked(n *node, v any, err error, now int64) {
	if err == nil && v != nil && n.out != nil && !n.backend.local {
		err = n.out.setAny(v)
	}
	switch {
	case err == nil:
		e.setStatusLocked(n, Succeeded, TaskFinished, "", now)
		e.resolveLocked(n, now)
	case refusedBusy(err):
		n.attempts--
		x := n.extra()
		x.busyTries++
		e.requeueLocked(n, "backend busy", min(5*time.Millisecond<<min(x.busyTries, 10), time.Second), now)
	case n.x != nil && int(n.attempts) <= n.x.retries:
		delay := retryDelay(n.x.backoff, int(n.attempts))
		e.requeueLocked(n, fmt.Sprintf("retry %d of %d after: %v", n.attempts, n.x.retries, err), delay, now)
	default:
		e.failLocked(n, err, now)
	}
}

// failLocked fails n with err and settles what follows from it: its
// dependents, fail-fast, its queue's MaxErrors.
func (e *engine) failLocked(n *node, err error, now int64) {
	n.extra().err = err
	e.failed = append(e.failed, n)
	e.setStatusLocked(n, Failed, TaskFinished, "", now)
	e.resolveLocked(n, now)
	if e.cfg.failFast {
		e.killAllLocked("fail-fast after task "+n.label()+" failed", true, now)
	}
	e.queueFailedLocked(n.q, now)
}

// maxBackoff caps the wait before a retry.
const maxBackoff = time.Minute

// retryDelay returns the wait before the retry that follows attempt a
// (1 for the first): backoff·2^(a−1), saturating at maxBackoff however
// large a is.
func retryDelay(backoff time.Duration, a int) time.Duration {
	if backoff <= 0 {
		return 0
	}
	d := backoff
	for i := 1; i < a && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// requeueLocked sends a Running task back to Queued, into its ready set
// after delay.
func (e *engine) requeueLocked(n *node, reason string, delay time.Duration, now int64) {
	n.extra().reason = reason
	e.setStatusLocked(n, Queued, TaskQueued, reason, now)
	if e.state == stateClosed {
		// Shutdown let the attempt finish, but nothing starts again.
		e.killLocked(n, "shutdown: killed while queued", now)
		e.resolveLocked(n, now)
		return
	}
	if delay <= 0 {
		e.pushLocked(n.q, n)
		return
	}
	n.x.timer = time.AfterFunc(delay, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		n.x.timer = nil
		if n.status == Queued && !n.inReady {
			e.pushLocked(n.q, n)
			e.dispatchLocked(false)
		}
	})
}
