package dagq

import "github.com/dagq/dagq/internal/keyheap"

// Policy describes an order in which a queue starts its ready tasks. A
// Policy value may be given to several queues: each queue calls
// NewReadySet once and keeps that state as its own.
//
// Built-in policies: [FIFO], [ByWeight], [PriorityFunc] and the others in
// this package. To write a stateful policy, implement Policy and
// [ReadySet] (and [RunTracker] to hear when tasks start and finish).
type Policy interface {
	// NewReadySet returns an empty ready set for one queue.
	NewReadySet() ReadySet
	// String names the policy, e.g. "fifo".
	String() string
}

// ReadySet holds one queue's ready tasks in policy order. The scheduler
// calls its methods with its lock held, from one goroutine at a time: they
// must be fast, must not block and must not call the scheduler.
//
// A task that was killed while in the set may still be returned by Peek;
// the scheduler then pops it and moves on, so a ReadySet need not support
// removal. One that wants to free such tasks early implements
// [TaskRemover].
//
// A popped task does not always start: when its backend's capacity or a
// resource pool is full the scheduler sets it aside, looks past it for a
// task that fits, and puts the tasks it set aside back, in the reverse
// order of their Pop: with Unpop if the set is an [Unpopper], else with
// Push. A set whose order depends on more than each
// task's own key (a turn, a cursor) advances that state when a task
// starts, in [RunTracker.Started], not in Pop, so that the order is the
// same whatever limits the start; the built-in policies do.
type ReadySet interface {
	// Push adds a task that became ready.
	Push(t Task)
	// Peek returns the task to start next, or the zero Task if none.
	Peek() Task
	// Pop removes and returns the task Peek returns.
	Pop() Task
}

// Unpopper is implemented by ready sets whose order depends on more than
// each task's own key and that would rather undo a Pop than take the task
// as if it had just become ready: Unpop puts back t, the task the last
// Pop not yet undone returned, as if it had not been popped ([FairShare]
// keeps its tenant's place in the round this way).
type Unpopper interface {
	Unpop(t Task)
}

// TaskRemover is implemented by ready sets that can drop a task which
// left the Queued status while in the set (killed).
type TaskRemover interface {
	Remove(t Task)
}

// RunTracker is implemented by ready sets that track running tasks, such
// as [FairShare] with its per-tenant quotas. Started is called when a task
// popped from the set starts; Finished when its attempt ends.
type RunTracker interface {
	Started(t Task)
	Finished(t Task)
}

// Ranked is an optional interface of a [ReadySet] that orders its tasks by
// a key, so that the scheduler can weigh its best task against the best
// of other queues: when several queues could start a task, the one whose
// best task has the highest key (primary first, then secondary) starts
// first. HeadKey returns the key of the task Peek just returned. A ready
// set that does not implement Ranked is ranked as [FIFO]'s, whose key is
// (0, −ID). The built-in policies' keys, to which a custom set's compare:
// [ByWeight] (Weight, −ID), [ByPriority] (Priority − time ready since New/aging, −ID),
// [ShortestFirst] (−Cost, −ID), [PriorityFunc] (its value, −ID),
// [CriticalPath] (Task.Remaining, −ID), [LatestFirst] (Task.Feeds,
// Task.Demand·2²⁶ + ID); [FairShare] ranks as FIFO. A NaN ranks lowest.
type Ranked interface {
	HeadKey() (primary, secondary float64)
}

// Ranks names ranks of a task that the scheduler keeps from what depends
// on it, for the policies that order by them ([RankedPolicy]).
type Ranks uint8

const (
	// RankDemand keeps [Task.Demand] and [Task.Feeds] ([LatestFirst]).
	RankDemand Ranks = 1 << iota
	// RankPath keeps [Task.Remaining] ([CriticalPath]).
	RankPath
)

// RankedPolicy is an optional interface of a [Policy] whose order depends
// on ranks (see [Ranks]): the scheduler keeps the ranks Ranks names once a
// queue uses the policy, and when a rank of a task waiting in that
// queue's ready set changes (a dependent was submitted, or a dependent in
// another queue now waits for it alone) it tells the set, if it is a
// [Rekeyer]. Ranks is asked once per queue; 0 keeps none.
type RankedPolicy interface {
	Policy
	Ranks() Ranks
}

// Rekeyer is implemented by the ready sets of a [RankedPolicy]: Rekey is
// called, with the scheduler's lock held, when the ranks of t, a task in
// the set, changed; the set then orders t by its new ranks.
type Rekeyer interface {
	Rekey(t Task)
}

// policyRanks asks p which ranks it orders by; a panic keeps none.
func policyRanks(p Policy) (r Ranks) {
	rp, ok := p.(RankedPolicy)
	if !ok {
		return 0
	}
	defer func() {
		if recover() != nil {
			r = 0
		}
	}()
	return rp.Ranks()
}

// scorePolicy is a policy that orders by a static score per task: higher
// k1 first, ties by higher k2. The built-in policies are scorePolicies,
// which also lets queues with different policies compare their heads.
type scorePolicy struct {
	name  string
	score func(n *node) (k1, k2 float64)
}

func (p scorePolicy) NewReadySet() ReadySet { return &heapSet{score: p.score} }
func (p scorePolicy) String() string        { return p.name }

// ByWeight starts the ready task with the highest [Weight] first, ties in
// submission order (DVSim's default).
func ByWeight() Policy {
	return scorePolicy{"by-weight", func(n *node) (float64, float64) { return n.weight, -float64(n.id) }}
}

// PriorityFunc orders ready tasks by fn, higher first, ties in submission
// order. fn is called once per task when it becomes ready, with the
// scheduler's lock held: it must be fast and must not call the scheduler.
// A NaN from fn ranks the task lowest (as -Inf), leaving the order of the
// others intact.
func PriorityFunc(fn func(TaskInfo) float64) Policy {
	return scorePolicy{"priority-func", func(n *node) (float64, float64) { return fn(n.info()), -float64(n.id) }}
}

// heapItem is a heapSet entry's value; gen detects entries made stale by
// a later push of the same task.
type heapItem struct {
	n   *node
	gen uint32
}

// live reports whether the entry of it still stands for its task in the
// ready set.
func (it heapItem) live() bool { return it.n.inReady && it.gen == it.n.gen }

// heapSet is a max-heap on the score's keys with lazy deletion: an entry
// is live while its node is in the ready set and the entry's gen matches
// the node's.
type heapSet struct {
	score func(*node) (float64, float64)
	h     keyheap.Heap[heapItem]
}

func (s *heapSet) Push(t Task) {
	k1, k2 := s.score(t.n)
	s.push(t.n, k1, k2)
}

// push adds n with keys k1, k2 (higher k1 first, then higher k2),
// superseding older entries for n. A NaN first key ranks as -Inf.
func (s *heapSet) push(n *node, k1, k2 float64) {
	n.gen++
	s.h.Push(k1, k2, heapItem{n, n.gen})
}

// HeadKey returns the keys of the task Peek returned (see [Ranked]).
func (s *heapSet) HeadKey() (float64, float64) {
	e := s.h.Top()
	return e.K1, e.K2
}

func (s *heapSet) Peek() Task {
	for e := s.h.Top(); e != nil; e = s.h.Top() {
		if e.V.live() {
			return Task{e.V.n}
		}
		s.h.Pop()
	}
	return Task{}
}

func (s *heapSet) Pop() Task {
	t := s.Peek()
	if t.n != nil {
		s.h.Pop()
	}
	return t
}
