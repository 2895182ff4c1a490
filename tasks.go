package dagq

// Tasks returns a snapshot of every task submitted so far, in ID order
// (submission order). Each is a copy, as [Scheduler.Task] returns. It is
// meant for reports after (or during) a run: [WriteTrace],
// [WriteTimeline], [Scheduler.DOT]. Safe for concurrent use; it holds the
// scheduler's lock for one pass over the tasks, O(tasks) time and memory.
func (s *Scheduler) Tasks() []TaskInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskInfo, 0, s.nodes.Len())
	for n := range s.nodes.All() {
		out = append(out, n.info())
	}
	return out
}
