package dagq

import "time"

// record is an event as taken under the scheduler's lock: its kind, time
// and transition, and a copy of the task's fields that may still change.
// The public [Event] is built from it on the delivery goroutines, reading
// the rest from the task itself: the fields set before the task is
// published (id, name, queue, backend, dependencies, weight, priority,
// cost, trigger, and the tenant and key of its nodeExtra) never change
// afterwards, so reading them without the lock is safe once the record
// was handed over. Stats are not recorded either: every change of the
// counters is a task event, so each sink replays them (sink.deliverRecord).
type record struct {
	n      *node      // nil for run events
	x      *nodeExtra // n.x when recorded (made on demand, so read only through this copy)
	reason string     // the event's Reason
	kind   EventKind
	now    int64
	Item   int // for TaskItem: the item's index (set by the caller of taskEventLocked)

	// The task's mutable fields, when recorded.
	times    [numStamps]int64
	xReason  string
	err      error
	devices  []string
	attempts int32
	from, to Status // to is also the task's status
	cached   bool
}

// captureLocked copies n's mutable fields into r. Callers hold s.mu.
func (r *record) captureLocked(n *node) {
	r.n, r.x = n, n.x
	r.to, r.times, r.attempts, r.cached = n.status, n.times, n.attempts, n.cached
	if n.x != nil {
		r.xReason, r.err, r.devices = n.x.reason, n.x.err, n.x.devices
	}
}

// taskInfo builds the snapshot of r.n as recorded; deps holds its
// dependencies' IDs. It needs no lock.
func (r *record) taskInfo(epoch time.Time, deps []TaskID) TaskInfo {
	i := r.snapshot(deps)
	setTimes(&i, epoch, &r.times)
	return i
}

// snapshot is taskInfo without the times.
func (r *record) snapshot(deps []TaskID) TaskInfo {
	n := r.n
	i := TaskInfo{
		ID:       n.id,
		Name:     n.name,
		Queue:    n.q.name,
		Backend:  n.backend.name,
		Status:   r.to,
		Reason:   r.xReason,
		Err:      r.err,
		Deps:     deps,
		Attempts: int(r.attempts),
		Cached:   r.cached,
		Devices:  r.devices,
		Weight:   n.weight,
		Priority: n.priority,
		Cost:     n.cost,
		Trigger:  n.trigger,
	}
	if r.x != nil {
		i.Tenant, i.Key = r.x.tenant, r.x.key
	}
	return i
}

// setTimes sets the times of i from t, a node's times since epoch.
func setTimes(i *TaskInfo, epoch time.Time, t *[numStamps]int64) {
	i.Submitted, i.Ready, i.Targeted = stampTime(epoch, t[atSubmitted]), stampTime(epoch, t[atReady]), stampTime(epoch, t[atTargeted])
	i.Dispatched, i.Started, i.Finished = stampTime(epoch, t[atDispatched]), stampTime(epoch, t[atStarted]), stampTime(epoch, t[atFinished])
}

// stampTime converts a node time (nanoseconds since epoch; 0 = unset) to
// a time.Time.
func stampTime(epoch time.Time, ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return epoch.Add(time.Duration(ns))
}

// appendDepIDs appends the IDs of n's dependencies to ids.
func (n *node) appendDepIDs(ids []TaskID) []TaskID {
	for _, d := range n.deps {
		ids = append(ids, d.id)
	}
	return ids
}
