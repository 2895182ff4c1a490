package dagq

// ShortestFirst starts the ready task with the smallest [Cost] first, ties
// in submission order (Chitu's custom shortest-task-first scheduler).
// Tasks without a Cost count 0 and so go first. Ready-set operations are
// O(log n).
func ShortestFirst() Policy {
	return scorePolicy{"shortest-first", func(n *node) (float64, float64) { return -n.cost, -float64(n.id) }}
}
