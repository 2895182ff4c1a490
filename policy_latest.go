package dagq

// latestShift makes room for a task's ID below its rank in LatestFirst's
// second key; keys stay exact up to 2^26 (67 million) tasks, beyond which
// ties in rank may be broken slightly out of recency order.
const latestShift = 1 << 26

func latestScore(n *node) (float64, float64) {
	rs := rankOf(n)
	return float64(rs.feeds), float64(rs.demand)*latestShift + float64(n.id)
}

// LatestFirst orders ready tasks by demand, as smqsched does: the most
// recently submitted final result is completed first. A task's rank is
// the submission order of the newest task that transitively depends on it
// (its own if none), so with one slot and
//
//	A[i] = Submit(...); B[i] = Then(A[i]); C[i*100+k] = Then2(B[i], B[k])
//
// (i, k in 0..99) the queue runs A99, B99, C9999, A98, B98, C9998, ...:
// the first C is the 3rd task to finish, not the 201st as under FIFO.
// Ties go to the most recently submitted task. Ranks follow the graph as
// it grows: submitting a task raises the ranks of its unfinished
// dependencies, transitively.
//
// Across queues LatestFirst looks one step ahead: a ready task whose
// completion would make more tasks of other queues ready (dependents in
// another queue that wait for it alone) goes before one with a better
// rank. This keeps downstream queues fed: with an acquisition queue of
// size 1 feeding a compute queue, and evens, then odds, then all
// even×odd pairs submitted, acquisitions alternate between evens and odds
// by themselves, so after 2k acquisitions k² pairs can run. Dependents in
// the task's own queue do not count, so inside one queue the order is
// exactly the demand order above. The look-ahead counts dependents that
// later turn out to be killed by another dependency; it is a heuristic.
//
// Cost: the scheduler keeps ranks only while some queue uses LatestFirst
// or [CriticalPath]. Each submitted task is recorded in O(1), allocating
// nothing; ranks are propagated lazily, once per dispatch that needs
// them, visiting each unfinished ancestor of the new tasks at most once (a
// graph submitted before Start is ranked in one linear pass). Ready-set
// operations are O(log n). The look-ahead costs nothing until some task
// depends on a task of another queue. A graph whose unfinished part keeps
// growing deeper while it runs pays for re-visiting that part at each
// dispatch.
func LatestFirst() Policy {
	return rankPolicy{scorePolicy{"latest-first", latestScore}, RankDemand}
}
