package dagq

import (
	"github.com/dagq/dagq/internal/chunk"
	"github.com/dagq/dagq/internal/keyheap"
)

// Rank-based policies ([LatestFirst], [CriticalPath]) order a ready task by
// what depends on it, so its key changes when dependents are submitted.
// The scheduler keeps these ranks only once a queue uses such a policy,
// in a ranker:
//
//   - Submitting a task sets its own rank (O(1), nothing allocated: the
//     tasks submitted since the last flush are the tail of the scheduler's
//     task list).
//   - Before dispatch next consults a ready set with a free slot, the new
//     tasks are flushed: ranks are pushed up the dependencies, newest
//     task first (IDs are a topological order: a task's dependencies have
//     smaller IDs), so each task is visited at most once per flush however
//     many new tasks reach it, and only tasks that are neither running nor
//     finished are visited. Tasks waiting in a rank-based ready set whose
//     rank changed are re-inserted with their new key (the heap supersedes
//     the old entry). A flush thus costs O(new tasks + the unfinished
//     ancestry they reach), never a scan of the graph; a graph submitted
//     before Start is ranked in one flush, in linear time, reading each
//     task and its dependency list once.
//   - LatestFirst's look-ahead counts, for each task, its dependents in
//     other queues that wait for it alone (see [LatestFirst]); the count
//     changes in O(1) when a dependent's last-but-one dependency finishes,
//     found by one scan of that dependent's dependencies. Until some task
//     depends on a task of another queue no count can change, and that
//     scan is skipped.

// rankState is the per-task part of the ranks, kept by task ID in the
// ranker (not in the task: most schedulers keep no ranks, and a flush reads
// them densely).
type rankState struct {
	demand    TaskID  // LatestFirst: the newest task that depends on it, or its own ID
	remaining float64 // CriticalPath: the longest Cost-weighted path to a sink, its own Cost included
	feeds     int32   // LatestFirst: dependents in other queues waiting for it alone
	rankMark  uint32  // the flush that last put it on the work heap or the re-key list
}

// rankPolicy is a scorePolicy whose score depends on the ranks.
type rankPolicy struct {
	scorePolicy
	kind Ranks
}

// Ranks reports the ranks the policy orders by (see [RankedPolicy]).
func (p rankPolicy) Ranks() Ranks { return p.kind }

// ranker keeps the ranks of a scheduler's tasks. Guarded by the
// scheduler's mu.
type ranker struct {
	kinds Ranks
	cross bool // some task depends on a task of another queue
	// The tasks submitted since the last flush, in ID order, are
	// Scheduler.nodes from index from to index to (excluded).
	nodes    *chunk.Table[*node]
	from, to int
	work     keyheap.Heap[*node] // by ID, highest first: blocked tasks, submitted before the flushed ones, whose rank changed in this flush
	rekey    []*node             // ready tasks whose rank changed in this flush
	flushes  uint32
	ranks    chunk.Table[rankState] // by ID - 1, up to the highest ID seen
}

// rankOf returns n's ranks, for ordering: zero if its scheduler keeps none
// (the ready set of a rank-based policy used inside a custom one).
func rankOf(n *node) rankState {
	if r := n.q.s.ranks; r != nil {
		return *r.rank(n)
	}
	return rankState{}
}

// rank returns n's ranks; a task the ranker has not seen has zero ranks.
// n is a task, not a stream item (see raiseDepsLocked).
func (r *ranker) rank(n *node) *rankState {
	for r.ranks.Len() < int(n.id) {
		r.ranks.Push(rankState{})
	}
	return r.ranks.At(int(n.id - 1))
}

// attachPolicyLocked starts keeping the ranks of q's policy, if it is a
// [RankedPolicy], and resolves the ready set that hears of their changes.
// Tasks submitted before need none: ranks flow from dependents to
// dependencies, so only tasks submitted later reach the new queue's tasks.
func (e *engine) attachPolicyLocked(q *Queue) {
	kind := policyRanks(q.policy)
	if kind == 0 {
		return
	}
	q.rekeyer, _ = q.ready.(Rekeyer)
	if e.ranks == nil {
		e.ranks = &ranker{nodes: &e.nodes, from: e.nodes.Len(), to: e.nodes.Len()}
	}
	e.ranks.kinds |= kind
}

// addLocked records a task that was just submitted, the last of
// Scheduler.nodes, waiting for that many dependencies. Tasks of
// Scheduler.nodes it is not called for (refused, or adopting a twin's
// outcome) keep a zero rank: a flush visits them only if a dependent
// raises it.
func (r *ranker) addLocked(n *node, waiting int32) {
	rs := r.rank(n)
	rs.demand, rs.remaining = n.id, n.cost
	for i := 0; i < len(n.deps) && !r.cross; i++ {
		r.cross = n.deps[i].q != n.q
	}
	if waiting == 1 {
		r.oneLeftLocked(n)
	}
	r.to = int(n.id)
}

// oneLeftLocked is called when d waits for one last dependency: that one
// gains a dependent it alone holds back, which counts for LatestFirst's
// look-ahead when d is in another queue.
func (r *ranker) oneLeftLocked(d *node) {
	if r.kinds&RankDemand == 0 || !r.cross {
		return
	}
	for _, u := range d.deps {
		if !u.status.Terminal() {
			if u.q != d.q && !u.item { // an item is never ready: nothing to count
				r.rank(u).feeds++
				r.rekeyLocked(u)
			}
			return
		}
	}
}

// rekeyLocked tells the ready set of a ready task whose rank changed
// ([Rekeyer]). In the built-in ones superseded entries of tasks whose rank
// rose sink below the live ones and could stay for good under
// LatestFirst, where new tasks outrank them: the heap is compacted when
// they outnumber the tasks waiting in the queue.
func (r *ranker) rekeyLocked(n *node) {
	if !n.inReady || n.q.rekeyer == nil || n.q.broken != nil {
		return
	}
	defer n.q.s.catchLocked(n.q, "ready set")
	n.q.rekeyer.Rekey(Task{n})
}

// Rekey re-inserts t with its new key, superseding its old entry (see
// [Rekeyer]), and compacts the heap when the superseded entries outnumber
// the queue's ready tasks.
func (s *heapSet) Rekey(t Task) {
	s.Push(t)
	if s.h.Len() > 2*t.n.q.counts.Queued+64 {
		s.h.Keep(heapItem.live)
	}
}

// flushLocked pushes the ranks of the pending tasks up their
// dependencies: it visits the pending tasks by decreasing ID, then the
// older tasks whose rank they raised, by decreasing ID from the work heap
// (a task's dependencies have smaller IDs, so each is visited once, after
// all its dependents).
func (r *ranker) flushLocked() {
	r.flushes++
	first := TaskID(r.from + 1)
	for i := r.to - 1; i >= r.from; i-- {
		x := *r.nodes.At(i)
		// A zero rank is that of a task addLocked was not called for and
		// no dependent reached: it has nothing to pass on.
		if rs := r.rank(x); x.status == Blocked && (rs.demand != 0 || rs.remaining != 0) {
			r.raiseDepsLocked(x, first)
		}
	}
	for r.work.Len() > 0 {
		r.raiseDepsLocked(r.work.Pop(), first)
	}
	r.from = r.to
	r.work.Shrink(1 << 16) // a large graph was ranked: do not keep its scratch
	r.rekeyAllLocked()
}

// raiseDepsLocked raises the ranks of x's unfinished dependencies to what
// x's rank implies. Those whose rank rose are re-keyed if ready, put on
// the work heap if blocked, unless they are pending (ID first or above):
// flushLocked visits those anyway. A stream item passes what reaches it
// straight to its stream, which it waits for.
func (r *ranker) raiseDepsLocked(x *node, first TaskID) {
	xs := r.rank(x) // stays valid: the table never moves what it holds
	for _, p := range x.deps {
		if p.item {
			p = p.deps[0]
		}
		if p.status != Blocked && p.status != Queued {
			continue
		}
		ps := r.rank(p)
		changed := false
		if r.kinds&RankDemand != 0 && xs.demand > ps.demand {
			ps.demand, changed = xs.demand, true
		}
		if r.kinds&RankPath != 0 {
			if c := p.cost + xs.remaining; c > ps.remaining {
				ps.remaining, changed = c, true
			}
		}
		if !changed || ps.rankMark == r.flushes {
			continue
		}
		switch {
		case p.status == Queued:
			ps.rankMark = r.flushes
			r.rekey = append(r.rekey, p) // ready: its dependencies have finished
		case p.id < first:
			ps.rankMark = r.flushes
			r.work.Push(float64(p.id), 0, p)
		}
	}
}

// rekeyAllLocked re-inserts the ready tasks whose rank changed in this
// flush.
func (r *ranker) rekeyAllLocked() {
	for i, n := range r.rekey {
		r.rekeyLocked(n)
		r.rekey[i] = nil
	}
	r.rekey = r.rekey[:0]
}
