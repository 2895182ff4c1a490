package dagq

import (
	"sync"
	"time"
)

// recorderPage is how many tasks a Recorder stores per allocation: small
// pages are filled while the memory they were cleared in is still cached.
const recorderPage = 128

// Recorder is an [Observer] that keeps the latest snapshot of every task
// it has seen, to export a run after it ended ([WriteTrace],
// [WriteTimeline]) when the scheduler itself is not at hand. The zero
// value is ready to use: pass &r to [WithObserver]. Its methods are safe
// for concurrent use. Attached with WithObserver, a Recorder is handed
// the scheduler's compact record of each event instead of the event: it
// copies a task's fixed fields once and then only what changed (status,
// times, attempts, reason, error, devices), and builds the snapshots in
// Tasks. Observe, for events from elsewhere, costs one allocated copy of
// the event's TaskInfo. Memory grows by pages, without copying what was
// recorded; the recorder holds about 110 bytes per task (more when its
// snapshot came through Observe) until it is dropped.
type Recorder struct {
	mu    sync.Mutex
	epoch time.Time    // time zero of the slots' times
	pages [][]recorded // task ID i at pages[(i−1)/recorderPage][(i−1)%recorderPage]

	// Queue and backend names, stored once: slots hold their indexes.
	names                  []string
	nameAt                 map[string]uint32 // index of each name in names
	lastQueue, lastBackend uint32            // the indexes intern returned last, tried first
}

// recorded is what a Recorder keeps of one task: the snapshot given to
// Observe (full), or the fields of a snapshot with its times still in
// nanoseconds since the recorder's epoch. It is kept small, and what
// every event of the task writes comes first, on as few cache lines as
// possible: the first write to each slot touches fresh memory.
type recorded struct {
	times          [numStamps]int64
	attempts       int32
	status         Status // zero: task not seen
	cached         bool
	trigger        TriggerRule
	queue, backend uint32 // indexes in Recorder.names

	full *TaskInfo
	more *recordedMore // nil while the task has none of its fields
	name string
	deps []TaskID
}

// recordedMore holds the fields of a snapshot that most tasks leave unset
// (or zero).
type recordedMore struct {
	tenant, key, reason string
	err                 error
	devices             []string
	weight, cost        float64
	priority            int
}

// Observe records e's task snapshot; run events are ignored.
func (r *Recorder) Observe(e Event) {
	if e.Task.ID == 0 {
		return
	}
	t := e.Task
	r.mu.Lock()
	*r.slot(t.ID) = recorded{full: &t, status: t.Status}
	r.mu.Unlock()
}

// observeRecords records the tasks of recs, delivered by k, without
// building their snapshots. Records from another scheduler than the first
// one's (another epoch) are recorded as snapshots.
func (r *Recorder) observeRecords(recs []record, k *sink) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.epoch.IsZero() {
		r.epoch = k.epoch
	}
	snapshots := r.epoch != k.epoch
	for j := range recs {
		rec := &recs[j]
		n := rec.n
		if n == nil {
			continue
		}
		p := r.slot(rec.id)
		if snapshots {
			t := rec.taskInfo(k.epoch, k.depIDs(n))
			*p = recorded{full: &t, status: t.Status}
			continue
		}
		if p.status == 0 || p.full != nil {
			*p = recorded{name: n.name, queue: r.intern(n.q.name, &r.lastQueue),
				backend: r.intern(n.backend.name, &r.lastBackend), deps: k.depIDs(n), trigger: n.trigger}
			var x *nodeExtra
			if rec.more != nil {
				x = rec.more.x
			}
			if n.weight != 0 || n.cost != 0 || n.priority != 0 || x != nil && (x.tenant != "" || x.key != "") {
				p.more = &recordedMore{weight: n.weight, cost: n.cost, priority: n.priority}
				if x != nil {
					p.more.tenant, p.more.key = x.tenant, x.key
				}
			}
		}
		p.times, p.attempts, p.status, p.cached = rec.times, rec.attempts, rec.to, rec.cached
		if m := rec.more; p.more != nil || m != nil && (m.xReason != "" || m.err != nil || m.devices != nil) {
			if p.more == nil {
				p.more = &recordedMore{}
			}
			if m != nil {
				p.more.reason, p.more.err, p.more.devices = m.xReason, m.err, m.devices
			} else {
				p.more.reason, p.more.err, p.more.devices = "", nil, nil
			}
		}
	}
}

// intern returns the index of name in r.names, adding it if needed; last
// holds the index it returned last for the same field, tried first.
// Callers hold r.mu.
func (r *Recorder) intern(name string, last *uint32) uint32 {
	if i := *last; int(i) < len(r.names) && r.names[i] == name {
		return i
	}
	i, ok := r.nameAt[name]
	if !ok {
		if r.nameAt == nil {
			r.nameAt = make(map[string]uint32)
		}
		i = uint32(len(r.names))
		r.names = append(r.names, name)
		r.nameAt[name] = i
	}
	*last = i
	return i
}

// slot returns the slot of task id, growing the pages as needed. Callers
// hold r.mu.
func (r *Recorder) slot(id TaskID) *recorded {
	i := int(id - 1)
	for len(r.pages) <= i/recorderPage {
		r.pages = append(r.pages, make([]recorded, recorderPage))
	}
	return &r.pages[i/recorderPage][i%recorderPage]
}

// Tasks returns the latest snapshot of every task seen so far, in ID
// order. The slice is the caller's.
func (r *Recorder) Tasks() []TaskInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []TaskInfo
	for pi, p := range r.pages {
		for j := range p {
			if s := &p[j]; s.full != nil {
				out = append(out, *s.full)
			} else if s.status != 0 {
				out = append(out, r.info(s, TaskID(pi*recorderPage+j+1)))
			}
		}
	}
	return out
}

// info returns the snapshot of task id held by s, which came from
// records. Callers hold r.mu.
func (r *Recorder) info(s *recorded, id TaskID) TaskInfo {
	i := TaskInfo{
		ID: id, Name: s.name, Queue: r.names[s.queue], Backend: r.names[s.backend], Status: s.status,
		Deps: s.deps, Attempts: int(s.attempts), Cached: s.cached, Trigger: s.trigger,
	}
	if m := s.more; m != nil {
		i.Tenant, i.Key, i.Reason, i.Err, i.Devices = m.tenant, m.key, m.reason, m.err, m.devices
		i.Weight, i.Cost, i.Priority = m.weight, m.cost, m.priority
	}
	setTimes(&i, r.epoch, &s.times)
	return i
}

func (*Recorder) queuesUnused() {}
