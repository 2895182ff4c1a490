package dagq

import "sync"

// recorderPage is how many tasks a Recorder stores per allocation.
const recorderPage = 1024

// Recorder is an [Observer] that keeps the latest snapshot of every task
// it has seen, to export a run after it ended ([WriteTrace],
// [WriteTimeline]) when the scheduler itself is not at hand. The zero
// value is ready to use: pass &r to [WithObserver]. Its methods are safe
// for concurrent use. Observe costs one copy of the event's TaskInfo,
// and memory grows by pages, without copying what was recorded; the
// recorder holds one TaskInfo per task until it is dropped.
type Recorder struct {
	mu    sync.Mutex
	pages [][]TaskInfo // task ID i at pages[(i−1)/recorderPage][(i−1)%recorderPage]; zero ID: not seen
}

// Observe records e's task snapshot; run events are ignored.
func (r *Recorder) Observe(e Event) {
	if e.Task.ID == 0 {
		return
	}
	i := int(e.Task.ID - 1)
	r.mu.Lock()
	for len(r.pages) <= i/recorderPage {
		r.pages = append(r.pages, make([]TaskInfo, recorderPage))
	}
	r.pages[i/recorderPage][i%recorderPage] = e.Task
	r.mu.Unlock()
}

// Tasks returns the latest snapshot of every task seen so far, in ID
// order. The slice is the caller's.
func (r *Recorder) Tasks() []TaskInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []TaskInfo
	for _, p := range r.pages {
		for _, t := range p {
			if t.ID != 0 {
				out = append(out, t)
			}
		}
	}
	return out
}

func (*Recorder) queuesUnused() {}
