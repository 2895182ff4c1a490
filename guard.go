package dagq

import (
	"fmt"
	"runtime/debug"
	"time"
)

// User code that runs with the scheduler's lock held (a queue's ready set
// and run tracker, a PriorityFunc inside a built-in ready set, a
// strategy's release schedule, a Capacity backend's Acquire and Release)
// is called through the guards below, so that a panic in it never
// unwinds through the scheduler. A panic in a queue's plug-ins breaks the
// queue: its ready set's state is unknown, so its Queued tasks, and those
// that become ready in it later, fail with a [*PanicError] (Queued →
// Failed) while the other queues go on. A panic in a backend's Acquire or
// Release fails the task it was called for.

// catchLocked, deferred directly, breaks q if the call it guards
// panicked; what names the plug-in.
func (e *engine) catchLocked(q *Queue, what string) {
	if r := recover(); r != nil {
		e.breakLocked(q, what, r)
	}
}

// breakLocked makes q broken by a panic r in its plug-in what, and dooms
// the tasks in its ready set.
func (e *engine) breakLocked(q *Queue, what string, r any) {
	if q.broken != nil {
		return
	}
	q.broken = fmt.Errorf("dagq: queue %q: %s panicked: %w", q.name, what, &PanicError{Value: r, Stack: debug.Stack()})
	s := q.s
	for n := range s.nodes.All() {
		if n.q == q && n.status == Queued && n.inReady {
			s.doomLocked(n, q.broken)
		}
	}
}

// doomLocked takes Queued task n out of play, to fail with err at the
// next safe point: the start of a dispatch round, where failing it
// cannot disturb a round under way.
func (e *engine) doomLocked(n *node, err error) {
	n.inReady = false
	n.extra().doom = err
	e.doomed = append(e.doomed, n)
}

// doomedLocked reports whether n waits to fail; it must not enter a ready
// set again.
func (n *node) doomedLocked() bool { return n.x != nil && n.x.doom != nil }

// shutOutLocked dooms n instead of letting it into q's ready set if q is
// broken or n already doomed, and reports whether it did.
func (e *engine) shutOutLocked(q *Queue, n *node) bool {
	switch {
	case q.broken != nil:
		e.doomLocked(n, q.broken)
	case n.doomedLocked():
		e.doomLocked(n, n.x.doom)
	default:
		return false
	}
	return true
}

// failDoomedLocked fails the tasks set aside by doomLocked that are still
// Queued, and returns the time it read (or now).
func (e *engine) failDoomedLocked(now int64) int64 {
	for len(e.doomed) > 0 {
		n := e.doomed[len(e.doomed)-1]
		e.doomed[len(e.doomed)-1] = nil
		e.doomed = e.doomed[:len(e.doomed)-1]
		if n.status != Queued {
			continue
		}
		if now == 0 {
			now = e.now()
		}
		e.failLocked(n, n.x.doom, now)
	}
	return now
}

// trackLocked tells q's run tracker that n started (or finished).
func (e *engine) trackLocked(q *Queue, n *node, started bool) {
	defer e.catchLocked(q, "run tracker")
	if started {
		q.tracker.Started(Task{n})
	} else {
		q.tracker.Finished(Task{n})
	}
}

// nextLocked returns the next offset of q's release schedule; if the
// strategy panics, q breaks and the offset is 0 (the tasks it would pace
// fail).
func (e *engine) nextLocked(q *Queue) (d time.Duration) {
	defer e.catchLocked(q, "strategy")
	return q.run.next()
}

// askStrategy calls st's Releases and Limit, returning a panic as an
// error.
func askStrategy(st Strategy, rampup time.Duration) (next func() time.Duration, limit int, err error) {
	defer recoverTo(&err)
	if next, err = st.Releases(rampup); err != nil {
		return nil, 0, err
	}
	return next, st.Limit(), nil
}

// acquireSafely calls b's Acquire for job; a panic fails the task.
func (e *engine) acquireSafely(n *node, b *backendEntry, job *Job) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
			e.doomLocked(n, fmt.Errorf("dagq: backend %q: Acquire panicked: %w", b.name, &PanicError{Value: r, Stack: debug.Stack()}))
		}
	}()
	return b.capa.Acquire(job)
}

// releaseSafely calls b's Release for job, returning a panic as an error.
func releaseSafely(b *backendEntry, job *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("dagq: backend %q: Release panicked: %w", b.name, &PanicError{Value: r, Stack: debug.Stack()})
		}
	}()
	b.capa.Release(job)
	return nil
}

// admitSafely calls b's Admit for job, returning a panic as an error.
func admitSafely(b *backendEntry, job *Job) (err error) {
	defer recoverTo(&err)
	return b.capa.Admit(job)
}

// newReadySet calls p's NewReadySet, returning a panic or a nil set as an
// error.
func newReadySet(p Policy) (rs ReadySet, err error) {
	defer recoverTo(&err)
	if rs = p.NewReadySet(); rs == nil {
		return nil, fmt.Errorf("policy %v: NewReadySet returned nil", p)
	}
	return rs, nil
}

// askUniform asks u whether its capacity is uniform; a panic answers no.
func askUniform(u UniformCapacity) (uniform bool) {
	defer func() {
		if recover() != nil {
			uniform = false
		}
	}()
	return u.UniformCapacity()
}

// publishSafely calls b's PublishCapacity, logging a panic.
func (e *engine) publishSafely(b *backendEntry) {
	defer func() {
		if r := recover(); r != nil {
			e.cfg.logger.Error("dagq: backend's PublishCapacity panicked", "backend", b.name, "panic", r)
		}
	}()
	b.pub.PublishCapacity()
}

// strandedSafely calls the NotifyShutdown of b, if it has one, and returns
// its stranded function wrapped so that a panic strands nothing; nil if
// none can be stranded.
func (e *engine) strandedSafely(b *backendEntry) (stranded func(*Job) bool) {
	sn, ok := b.b.(ShutdownNotifier)
	if !ok {
		return nil
	}
	log := func(r any) {
		e.cfg.logger.Error("dagq: backend's shutdown hook panicked", "backend", b.name, "panic", r)
	}
	defer func() {
		if r := recover(); r != nil {
			stranded = nil
			log(r)
		}
	}()
	f := sn.NotifyShutdown()
	if f == nil {
		return nil
	}
	return func(job *Job) (yes bool) {
		defer func() {
			if r := recover(); r != nil {
				yes = false
				log(r)
			}
		}()
		return f(job)
	}
}
