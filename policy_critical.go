package dagq

func criticalScore(n *node) (float64, float64) { return rankOf(n).remaining, -float64(n.id) }

// CriticalPath starts first the ready task with the longest remaining
// path to a sink: its own [Cost] plus the largest such sum over the tasks
// that depend on it, transitively. Ties go in submission order. Tasks
// without a Cost count 0, so with no costs at all the order is FIFO.
//
// Paths are kept incrementally: submitting a task lengthens its unfinished
// dependencies' paths, propagated lazily with the cost described at
// [LatestFirst] (each unfinished ancestor visited at most once per
// dispatch that needs it). Ready-set operations are O(log n).
func CriticalPath() Policy {
	return rankPolicy{scorePolicy{"critical-path", criticalScore}, RankPath}
}
