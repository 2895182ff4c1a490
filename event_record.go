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
//
// Writing a record is most of what an event costs under the lock, so it
// is small and holds two pointers: what most events leave unset (the
// event's reason and the task's nodeExtra) is in a recordMore, which more
// points to only when one of them is set.
type record struct {
	n        *node     // nil for run events
	kind     kindIndex // kind, transition and n come first: a filtering sink reads them only
	from, to Status    // to is also the task's status
	cached   bool
	attempts int32
	now      int64
	more     *recordMore      // nil when the event has no reason and the task no nodeExtra
	times    [numStamps]int64 // the task's times, when recorded
	Item     int              // for TaskItem: the item's index (set by the caller of taskEventLocked)
}

// recordMore holds the rarely set fields of a record.
type recordMore struct {
	x       *nodeExtra // n.x when recorded (made on demand, so read only through this copy)
	reason  string     // the event's Reason
	xReason string     // the task's, when recorded
	err     error
	devices []string
	counts  Counts // for run events: the scheduler's counters
	started int64  // the task's, when recorded (nodeExtra.started)
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

// needsMore reports whether a task event of n with this reason needs a
// recordMore. Callers hold s.mu.
func needsMore(n *node, reason string) bool { return n.x != nil || n.fate != nil || reason != "" }

// setLocked sets every field of r, which may hold an older record, to a
// task event of n (Item 0); m, which may also hold an older one, receives
// the rarely set fields if needsMore(n, reason), and is not used (it may
// be nil) otherwise. Callers hold s.mu.
func (r *record) setLocked(kind EventKind, n *node, from Status, reason string, now int64, m *recordMore) {
	r.kind, r.now, r.from, r.Item = indexOf(kind), now, from, 0
	r.n = n
	r.to, r.times, r.attempts, r.cached = n.status, n.times, n.attempts, n.cached
	if !needsMore(n, reason) {
		if r.more != nil {
			r.more = nil
		}
		return
	}
	m.x, m.reason = n.x, reason
	m.xReason, m.err, m.devices, m.started = n.reason(), n.err(), nil, 0
	if x := n.x; x != nil {
		m.devices, m.started = x.devices, x.started
	}
	r.more = m
}

// captureLocked sets r to n's current fields, outside the log (its
// recordMore, if any, is allocated). Callers hold s.mu.
func (r *record) captureLocked(n *node) {
	var m *recordMore
	if needsMore(n, "") {
		m = new(recordMore)
	}
	r.setLocked(TaskSubmitted, n, n.status, "", 0, m)
}

// reason returns the event's Reason.
func (r *record) reason() string {
	if r.more == nil {
		return ""
	}
	return r.more.reason
}

// taskInfo builds the snapshot of r.n as recorded; deps holds its
// dependencies' IDs. It needs no lock.
func (r *record) taskInfo(epoch time.Time, deps []TaskID) TaskInfo {
	n := r.n
	i := TaskInfo{
		ID:       n.id,
		Name:     n.name,
		Queue:    n.q.name,
		Backend:  n.backend.name,
		Status:   r.to,
		Deps:     deps,
		Attempts: int(r.attempts),
		Cached:   r.cached,
		Weight:   n.weight,
		Priority: n.priority,
		Cost:     n.cost,
		Trigger:  n.trigger,
	}
	if m := r.more; m != nil {
		i.Reason, i.Err, i.Devices = m.xReason, m.err, m.devices
		if m.x != nil {
			i.Tenant, i.Key = m.x.tenant, m.x.key
		}
	}
	started := r.times[atDispatched]
	if m := r.more; m != nil && m.started != 0 {
		started = m.started
	}
	setTimes(&i, epoch, &r.times, started)
	return i
}

// setTimes sets the times of i from t, a node's times since epoch, and
// started, when its backend began it.
func setTimes(i *TaskInfo, epoch time.Time, t *[numStamps]int64, started int64) {
	i.Submitted, i.Ready, i.Targeted = stampTime(epoch, t[atSubmitted]), stampTime(epoch, t[atReady]), stampTime(epoch, t[atTargeted])
	i.Dispatched, i.Started, i.Finished = stampTime(epoch, t[atDispatched]), stampTime(epoch, started), stampTime(epoch, t[atFinished])
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
