package dagq

import (
	"fmt"
	"time"
)

// ByPriority starts the ready task with the highest [Priority] first,
// ties in submission order. With aging > 0 a waiting task gains one level
// per aging interval, continuously: at time t a task of priority p that
// became ready at r counts as p + (t−r)/aging. Nothing starves: a task of
// priority p is overtaken only by tasks that became ready less than
// (pmax−p)·aging after it (pmax being the highest priority submitted), so
// under saturation it waits at most (pmax−p)·aging plus the time a slot
// takes to free. aging ≤ 0 means no aging.
//
// The aged order needs no periodic re-sorting: comparing p + (t−r)/aging
// between tasks does not depend on t, so each task gets a fixed key
// p − r/aging when it becomes ready. Ready-set operations are O(log n).
func ByPriority(aging time.Duration) Policy {
	if aging <= 0 {
		return scorePolicy{"by-priority", func(n *node) (float64, float64) {
			return float64(n.priority), -float64(n.id)
		}}
	}
	a := float64(aging)
	return scorePolicy{fmt.Sprintf("by-priority(aging=%v)", aging), func(n *node) (float64, float64) {
		return float64(n.priority) - float64(n.times[atReady])/a, -float64(n.id)
	}}
}
