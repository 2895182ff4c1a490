package dagq

// fifoPolicy is FIFO's policy: its ready set keeps tasks that become ready
// in submission order (the common case: independent tasks, chains,
// anything submitted ready) in a plain queue, O(1) per task, and only the
// others in a heap.
type fifoPolicy struct{}

// FIFO starts ready tasks in submission order. It is the default.
func FIFO() Policy { return fifoPolicy{} }

func (fifoPolicy) NewReadySet() ReadySet { return &fifoSet{late: heapSet{score: fifoScore}} }
func (fifoPolicy) String() string        { return "fifo" }

func fifoScore(n *node) (float64, float64) { return 0, -float64(n.id) }

// fifoSet holds ready tasks in ID order: those pushed in increasing ID
// order in a queue, the rest in a heap. Deletion is lazy, as in heapSet.
type fifoSet struct {
	inOrder []heapEntry // IDs increasing; live entries from head on
	head    int
	late    heapSet
}

func (s *fifoSet) Push(t Task) {
	n := t.n
	n.k1, n.k2 = fifoScore(n)
	if k := len(s.inOrder); k == s.head || s.inOrder[k-1].n.id < n.id {
		n.gen++
		s.inOrder = append(s.inOrder, heapEntry{n.k1, n.k2, n, n.gen})
		return
	}
	s.late.push(n)
}

// front returns the first live entry of the in-order queue, dropping dead
// ones, or nil.
func (s *fifoSet) front() *heapEntry {
	for s.head < len(s.inOrder) {
		e := &s.inOrder[s.head]
		if e.n.inReady && e.gen == e.n.gen {
			return e
		}
		s.advance()
	}
	return nil
}

// advance drops the queue's first entry, reclaiming the space when half
// of the queue has been consumed.
func (s *fifoSet) advance() {
	s.inOrder[s.head] = heapEntry{}
	s.head++
	if s.head == len(s.inOrder) {
		s.inOrder, s.head = s.inOrder[:0], 0
	} else if s.head >= 1024 && s.head*2 >= len(s.inOrder) {
		k := copy(s.inOrder, s.inOrder[s.head:])
		clear(s.inOrder[k:])
		s.inOrder, s.head = s.inOrder[:k], 0
	}
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
	s.advance()
	return Task{e.n}
}
