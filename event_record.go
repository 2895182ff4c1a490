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
	kind   kindIndex
	now    int64
	Item   int // for TaskItem: the item's index (set by the caller of taskEventLocked)

	// Fixed fields of the task, copied while its memory is at hand.
	id                   TaskID
	name, queue, backend string

	// The task's mutable fields, when recorded.
	times    [numStamps]int64
	xReason  string
	err      error
	devices  []string
	attempts int32
	from, to Status // to is also the task's status
	cached   bool
}

// kindIndex stands for an EventKind in a record: eventKinds[i].
type kindIndex uint8

var eventKinds = [...]EventKind{RunStarted, TaskSubmitted, TaskQueued, TaskStarted, TaskItem, TaskFinished, RunIdle, RunStopped}

// indexOf returns the kindIndex of k.
func indexOf(k EventKind) kindIndex {
	switch k {
	case RunStarted:
		return 0
	case TaskSubmitted:
		return 1
	case TaskQueued:
		return 2
	case TaskStarted:
		return 3
	case TaskItem:
		return 4
	case TaskFinished:
		return 5
	case RunIdle:
		return 6
	case RunStopped:
		return 7
	}
	panic("dagq: unknown event kind " + string(k))
}

// setLocked sets every field of r, which may hold an older record, to a
// task event of n (Item 0). Callers hold s.mu.
func (r *record) setLocked(kind EventKind, n *node, from Status, reason string, now int64) {
	r.kind, r.now, r.from, r.reason, r.Item = indexOf(kind), now, from, reason, 0
	r.captureLocked(n)
}

// captureLocked copies n's fields into r. Callers hold s.mu.
func (r *record) captureLocked(n *node) {
	r.n, r.x = n, n.x
	r.id, r.name, r.queue, r.backend = n.id, n.name, n.q.name, n.backend.name
	r.to, r.times, r.attempts, r.cached = n.status, n.times, n.attempts, n.cached
	if n.x != nil {
		r.xReason, r.err, r.devices = n.x.reason, n.x.err, n.x.devices
	} else if r.xReason != "" || r.err != nil || r.devices != nil {
		r.xReason, r.err, r.devices = "", nil, nil
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
		ID:       r.id,
		Name:     r.name,
		Queue:    r.queue,
		Backend:  r.backend,
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
	i.Dispatched, i.Finished = stampTime(epoch, t[atDispatched]), stampTime(epoch, t[atFinished])
	i.Started = i.Dispatched // the scheduler hands a task over as it starts
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
