package dagq

// Rank-based policies ([LatestFirst], [CriticalPath]) order a ready task by
// what depends on it, so its key changes when dependents are submitted.
// The scheduler keeps these ranks only once a queue uses such a policy,
// in a ranker:
//
//   - Submitting a task records it as a claim (O(1)).
//   - Before dispatch next consults a ready set with a free slot, pending
//     claims are flushed: ranks are pushed up the dependencies, newest
//     task first (IDs are a topological order: a task's dependencies have
//     smaller IDs), so each task is visited at most once per flush however
//     many new tasks reach it, and only tasks that are neither running nor
//     finished are visited. Tasks waiting in a rank-based ready set whose
//     rank changed are re-inserted with their new key (the heap supersedes
//     the old entry). A flush thus costs O(new tasks + the unfinished
//     ancestry they reach), never a scan of the graph; a graph submitted
//     before Start is ranked in one flush, in linear time.
//   - LatestFirst's look-ahead counts, for each task, its dependents in
//     other queues that wait for it alone (see [LatestFirst]); the count
//     changes in O(1) when a dependent's last-but-one dependency finishes,
//     found by one scan of that dependent's dependencies.

// rankState is the per-task part of the ranks, embedded in node.
type rankState struct {
	demand    TaskID  // LatestFirst: the newest task that depends on it, or its own ID
	remaining float64 // CriticalPath: the longest Cost-weighted path to a sink, its own Cost included
	feeds     int32   // LatestFirst: dependents in other queues waiting for it alone
	rankMark  uint32  // the flush in which its rank was last raised
}

// rankKind says which ranks are kept.
type rankKind uint8

const (
	rankLatest rankKind = 1 << iota
	rankPath
)

// rankPolicy is a scorePolicy whose score depends on the ranks.
type rankPolicy struct {
	scorePolicy
	kind rankKind
}

// ranker keeps the ranks of a scheduler's tasks. Guarded by the
// scheduler's mu.
type ranker struct {
	kinds   rankKind
	pending []*node // tasks submitted since the last flush, in ID order
	work    []*node // max-heap on ID: blocked tasks whose rank changed in this flush
	rekey   []*node // ready tasks whose rank changed in this flush
	flushes uint32
}

// attachPolicyLocked starts keeping the ranks p needs. Tasks submitted
// before need none: ranks flow from dependents to dependencies, so only
// tasks submitted later reach the new queue's tasks.
func (s *Scheduler) attachPolicyLocked(p Policy) {
	rp, ok := p.(rankPolicy)
	if !ok {
		return
	}
	if s.ranks == nil {
		s.ranks = &ranker{}
	}
	s.ranks.kinds |= rp.kind
}

// addLocked records a task that was just submitted, waiting for that
// many dependencies.
func (r *ranker) addLocked(n *node, waiting int32) {
	n.demand, n.remaining = n.id, n.cost
	if waiting == 1 {
		r.oneLeftLocked(n)
	}
	r.pending = append(r.pending, n)
}

// oneLeftLocked is called when d waits for one last dependency: that one
// gains a dependent it alone holds back, which counts for LatestFirst's
// look-ahead when d is in another queue.
func (r *ranker) oneLeftLocked(d *node) {
	if r.kinds&rankLatest == 0 {
		return
	}
	for _, u := range d.deps {
		if !u.status.Terminal() {
			if u.q != d.q {
				u.feeds++
				r.rekeyLocked(u)
			}
			return
		}
	}
}

// rekeyLocked re-inserts a ready task whose rank changed into its
// queue's rank-based ready set, superseding its old entry. Superseded
// entries of tasks whose rank rose sink below the live ones and could stay
// for good under LatestFirst, where new tasks outrank them: the heap is
// compacted when they outnumber the tasks waiting in the queue.
func (r *ranker) rekeyLocked(n *node) {
	if !n.inReady {
		return
	}
	if _, ok := n.q.policy.(rankPolicy); !ok {
		return
	}
	hs := n.q.ready.(*heapSet)
	hs.Push(Task{n})
	if len(hs.h) > 2*n.q.counts.Queued+64 {
		hs.compact()
	}
}

// compact drops the entries Peek would skip and restores the heap order.
func (s *heapSet) compact() {
	live := s.h[:0]
	for _, e := range s.h {
		if e.n.inReady && e.gen == e.n.gen {
			live = append(live, e)
		}
	}
	clear(s.h[len(live):])
	s.h = live
	for i := len(live)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
}

// flushLocked pushes the ranks of the pending tasks up their
// dependencies.
func (r *ranker) flushLocked() {
	r.flushes++
	for _, n := range r.pending {
		if n.status == Blocked {
			n.rankMark = r.flushes // visited from the list, not the heap
		}
	}
	// Visit the pending tasks and those whose rank changed, by decreasing
	// ID: pending ones from their list (in ID order), others from the heap.
	i := len(r.pending) - 1
	for {
		var x *node
		switch {
		case len(r.work) > 0 && (i < 0 || r.work[0].id > r.pending[i].id):
			x = r.pop()
		case i >= 0:
			x = r.pending[i]
			i--
		default:
			clear(r.pending)
			r.pending = r.pending[:0]
			if cap(r.pending) > 1<<16 {
				r.pending, r.work = nil, nil // a large graph was ranked: do not keep its scratch
			}
			r.rekeyAllLocked()
			return
		}
		if x.status != Blocked {
			continue // ready, running or finished: no unfinished dependency
		}
		for _, p := range x.deps {
			if p.status != Blocked && p.status != Queued {
				continue
			}
			changed := false
			if r.kinds&rankLatest != 0 && x.demand > p.demand {
				p.demand, changed = x.demand, true
			}
			if r.kinds&rankPath != 0 {
				if c := p.cost + x.remaining; c > p.remaining {
					p.remaining, changed = c, true
				}
			}
			if !changed || p.rankMark == r.flushes {
				continue
			}
			p.rankMark = r.flushes
			if p.status == Blocked {
				r.enqueue(p)
			} else {
				r.rekey = append(r.rekey, p) // ready: its dependencies have finished
			}
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

// enqueue adds n to the work heap.
func (r *ranker) enqueue(n *node) {
	h := append(r.work, n)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].id >= n.id {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = n
	r.work = h
}

// pop removes and returns the task with the largest ID.
func (r *ranker) pop() *node {
	h := r.work
	top := h[0]
	last := len(h) - 1
	e := h[last]
	h[last] = nil
	h = h[:last]
	i := 0
	for {
		c := 2*i + 1
		if c >= last {
			break
		}
		if c+1 < last && h[c+1].id > h[c].id {
			c++
		}
		if e.id >= h[c].id {
			break
		}
		h[i] = h[c]
		i = c
	}
	if last > 0 {
		h[i] = e
	}
	r.work = h
	return top
}
