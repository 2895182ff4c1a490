package dagq

import (
	"slices"
	"sync"
)

// Recorder is an [Observer] that keeps the latest snapshot of every task
// it has seen, to export a run after it ended ([WriteTrace],
// [WriteTimeline]) when the scheduler itself is not at hand. The zero
// value is ready to use: pass &r to [WithObserver]. Its methods are safe
// for concurrent use.
//
// Attached with WithObserver (directly or in a [MultiObserver]), a
// Recorder takes no events at all: the scheduler keeps every task's
// snapshot anyway, so the Recorder reads them from it when asked
// ([Recorder.Tasks]), and recording costs the run nothing. It does so
// through [Attacher], which any observer can implement. It then keeps that scheduler (its tasks and their results)
// reachable for as long as it is itself. Observe, for events from
// elsewhere (a [MultiObserver], [Scheduler.Subscribe]), keeps one copy
// of each task's latest snapshot.
type Recorder struct {
	mu       sync.Mutex
	scheds   []*Scheduler // attached with WithObserver, in order
	observed []*TaskInfo  // by task ID − 1: the latest snapshot given to Observe, nil if none
}

// Observe records e's task snapshot; run events are ignored.
func (r *Recorder) Observe(e Event) {
	if e.Task.ID == 0 {
		return
	}
	t := e.Task
	i := int(t.ID - 1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if i >= len(r.observed) {
		r.observed = slices.Grow(r.observed, i+1-len(r.observed))[:i+1]
	}
	r.observed[i] = &t
}

// Attach makes r read the tasks of s, and reports false: r takes none of
// its events (see [Attacher]).
func (r *Recorder) Attach(s *Scheduler) bool {
	r.mu.Lock()
	r.scheds = append(r.scheds, s)
	r.mu.Unlock()
	return false
}

// Tasks returns the latest snapshot of every task seen so far: those of
// each scheduler the Recorder is attached to (in the order they were
// made, each in ID order), then those given to Observe, in ID order. The
// slice is the caller's.
func (r *Recorder) Tasks() []TaskInfo {
	r.mu.Lock()
	scheds := slices.Clone(r.scheds)
	var out []TaskInfo
	for _, t := range r.observed {
		if t != nil {
			out = append(out, *t)
		}
	}
	r.mu.Unlock()
	if len(scheds) == 0 {
		return out
	}
	var all []TaskInfo
	for _, s := range scheds {
		all = append(all, s.Tasks()...)
	}
	return append(all, out...)
}
