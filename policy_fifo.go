package dagq

import "github.com/dagq/dagq/internal/chunk"

// fifoPolicy is FIFO's policy: its ready set keeps tasks that become ready
// in submission order (the common case: independent tasks, chains,
// anything submitted ready) in a plain queue, O(1) per task, and only the
// others in a heap.
type fifoPolicy struct{}

// FIFO starts ready tasks in submission order. It is the default.
func FIFO() Policy { return fifoPolicy{} }

func (fifoPolicy) NewReadySet() ReadySet { return &fifoSet{late: heapSet{score: fifoScore}} }
func (fifoPolicy) String() string        { return "fifo" }

// fifoScore orders tasks by ID; it is also the order across queues of a
// task whose ready set keeps no keys (see Queue.keysLocked).
func fifoScore(n *node) (float64, float64) { return 0, -float64(n.id) }

// fifoSet holds ready tasks in ID order: those pushed in increasing ID
// order in a queue, the rest in a heap. Deletion is lazy, as in heapSet.
type fifoSet struct {
	inOrder chunk.Queue[fifoEntry] // IDs increasing
	late    heapSet
}

// fifoEntry is an entry of fifoSet's queue: live while its node is in the
// ready set and gen matches the node's.
type fifoEntry struct {
	n   *node
	gen uint32
}

func (s *fifoSet) Push(t Task) {
	n := t.n
	if last := s.inOrder.Last(); last == nil || last.n.id < n.id {
		n.gen++
		s.inOrder.Push(fifoEntry{n, n.gen})
		return
	}
	k1, k2 := fifoScore(n)
	s.late.push(n, k1, k2)
}

// front returns the first live entry of the in-order queue, dropping dead
// ones, or nil.
func (s *fifoSet) front() *fifoEntry {
	for e := s.inOrder.First(); e != nil; e = s.inOrder.First() {
		if e.n.inReady && e.gen == e.n.gen {
			return e
		}
		s.inOrder.Pop()
	}
	return nil
}

func (s *fifoSet) Peek() Task {
	e, l := s.front(), s.late.Peek()
	if e == nil || (l.n != nil && l.n.id < e.n.id) {
		return l
	}
	return Task{e.n}
}

func (s *fifoSet) Pop() Task {
	e, l := s.front(), s.late.Peek()
	if e == nil || (l.n != nil && l.n.id < e.n.id) {
		return s.late.Pop()
	}
	n := e.n
	s.inOrder.Pop()
	return Task{n}
}
