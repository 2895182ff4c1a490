package dagq

import (
	"slices"
	"sync"
)

// Recorder is an [Observer] that keeps the latest snapshot of every task
// it has seen, to export a run after it ended ([WriteTrace],
// [WriteTimeline]) when the scheduler itself is not at hand. The zero
// value is ready to use: pass &r to [WithObserver]. Its methods are safe
// for concurrent use. Observe costs one copy of the event's TaskInfo; the
// recorder holds one TaskInfo per task until it is dropped.
type Recorder struct {
	mu    sync.Mutex
	tasks []TaskInfo // indexed by ID−1; a zero ID marks a task not seen
}

// Observe records e's task snapshot; run events are ignored.
func (r *Recorder) Observe(e Event) {
	id := e.Task.ID
	if id == 0 {
		return
	}
	r.mu.Lock()
	if int(id) > len(r.tasks) {
		r.tasks = slices.Grow(r.tasks, int(id)-len(r.tasks))
		r.tasks = r.tasks[:id]
	}
	r.tasks[id-1] = e.Task
	r.mu.Unlock()
}

// Tasks returns the latest snapshot of every task seen so far, in ID
// order. The slice is the caller's.
func (r *Recorder) Tasks() []TaskInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]TaskInfo, 0, len(r.tasks))
	for _, t := range r.tasks {
		if t.ID != 0 {
			out = append(out, t)
		}
	}
	return out
}
