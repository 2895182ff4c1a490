package dagq

import (
	"cmp"
	"maps"
	"slices"
)

// Queues returns the scheduler's queues, the default one included, sorted
// by name. A queue made later is not in it.
func (s *Scheduler) Queues() []*Queue {
	s.mu.Lock()
	qs := slices.Collect(maps.Values(s.queues))
	s.mu.Unlock()
	slices.SortFunc(qs, func(a, b *Queue) int { return cmp.Compare(a.name, b.name) })
	return qs
}

// Parallelism returns the global cap on running tasks (0 = none), as set
// by [WithParallelism] or [Scheduler.SetParallelism].
func (s *Scheduler) Parallelism() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parallelism
}

// Paused reports whether [Scheduler.Pause] stopped the starting of tasks
// (and no [Scheduler.Resume] followed).
func (s *Scheduler) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

// PoolStats is a snapshot of one resource pool declared with
// [WithResource].
type PoolStats struct {
	Name     string
	Capacity int
	Used     int // taken by running tasks
}

// Pools returns a snapshot of the scheduler's resource pools, sorted by
// name.
func (s *Scheduler) Pools() []PoolStats {
	s.mu.Lock()
	ps := make([]PoolStats, 0, len(s.pools))
	for _, p := range s.pools {
		ps = append(ps, PoolStats{Name: p.name, Capacity: p.capacity, Used: p.used})
	}
	s.mu.Unlock()
	slices.SortFunc(ps, func(a, b PoolStats) int { return cmp.Compare(a.Name, b.Name) })
	return ps
}

// Dependents returns the tasks that depend directly on task id (on the
// task itself or, for a stream, on one of its items), in the order they
// were submitted, each once; nil for an unknown task or one with none. It
// is the other direction of [TaskInfo.Deps]: killing or cancelling id
// reaches these and, transitively, their dependents. Cost: O(dependents).
func (s *Scheduler) Dependents(id TaskID) []TaskID {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodeLocked(id)
	if n == nil {
		return nil
	}
	var out []TaskID
	out = s.appendDependentsLocked(out, n)
	slices.Sort(out)
	return slices.Compact(out)
}

// appendDependentsLocked appends the dependents of n's edges to out,
// following an item's edges to the tasks that wait for that item.
func (e *engine) appendDependentsLocked(out []TaskID, n *node) []TaskID {
	for ei := n.outEdge; ei != 0; {
		ed := *e.edges.At(int(ei))
		ei = ed.next
		if ed.kind() == edgeItem {
			out = e.appendDependentsLocked(out, *e.items.At(int(ed.id())))
			continue
		}
		out = append(out, ed.id())
	}
	return out
}

// TaskRange returns the snapshots of up to n tasks from ID first on, in ID
// order (a scheduler numbers its tasks 1, 2, 3, ... as they are
// submitted); empty past the last one. It holds the scheduler's lock for
// those tasks only, so a tool can page through a large run, or scan it in
// chunks, without stalling it the way one [Scheduler.Tasks] call over
// millions of tasks would.
func (s *Scheduler) TaskRange(first TaskID, n int) []TaskInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	first = max(first, 1)
	total := TaskID(s.nodes.Len())
	if n <= 0 || first > total {
		return nil
	}
	last := min(total, first+TaskID(min(n, maxTasks))-1)
	out := make([]TaskInfo, 0, last-first+1)
	for id := first; id <= last; id++ {
		out = append(out, (*s.nodes.At(int(id - 1))).info())
	}
	return out
}
