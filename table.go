package dagq

import "iter"

// tableChunk is how many elements a table's full chunks hold.
const tableChunk = 4096

// table is an append-only array kept in fixed-size chunks, so that
// appending never copies what it already holds: a scheduler's per-task
// arrays (tasks by ID, dependency counters, edges) cost their elements and
// nothing more, however large the graph grows. Only the first chunk
// grows by doubling, which keeps small schedulers small. Guarded by the
// owner's lock.
type table[T any] struct {
	chunks [][]T
	n      int
}

// push appends v and returns its index.
func (t *table[T]) push(v T) int {
	last := len(t.chunks) - 1
	if last < 0 || len(t.chunks[last]) == tableChunk {
		c := tableChunk
		if last < 0 {
			c = 16
		}
		t.chunks = append(t.chunks, make([]T, 0, c))
		last++
	}
	t.chunks[last] = append(t.chunks[last], v)
	t.n++
	return t.n - 1
}

// at returns element i, which must exist.
func (t *table[T]) at(i int) *T { return &t.chunks[i/tableChunk][i%tableChunk] }

// len returns the number of elements.
func (t *table[T]) len() int { return t.n }

// all yields the elements in order.
func (t *table[T]) all() iter.Seq[T] {
	return func(yield func(T) bool) {
		for _, c := range t.chunks {
			for _, v := range c {
				if !yield(v) {
					return
				}
			}
		}
	}
}

// entryQueue is a FIFO queue of fifoEntry kept in chunks, so that a long
// queue is never copied; like table, only its first chunk grows by
// doubling, and a drained full-size chunk is kept for reuse.
type entryQueue struct {
	chunks [][]fifoEntry // entries from chunks[0][head] on
	head   int
	spare  []fifoEntry
}

// push appends e.
func (q *entryQueue) push(e fifoEntry) {
	if len(q.chunks) == 0 {
		q.chunks = append(q.chunks, make([]fifoEntry, 0, 16))
	}
	last := len(q.chunks) - 1
	if len(q.chunks[last]) == tableChunk {
		c := q.spare
		if c == nil {
			c = make([]fifoEntry, 0, tableChunk)
		}
		q.chunks, q.spare = append(q.chunks, c), nil
		last++
	}
	q.chunks[last] = append(q.chunks[last], e)
}

// first returns the oldest entry, or nil if the queue is empty.
func (q *entryQueue) first() *fifoEntry {
	if len(q.chunks) == 0 || q.head == len(q.chunks[0]) {
		return nil
	}
	return &q.chunks[0][q.head]
}

// last returns the newest entry, or nil if the queue is empty.
func (q *entryQueue) last() *fifoEntry {
	if q.first() == nil {
		return nil
	}
	c := q.chunks[len(q.chunks)-1]
	return &c[len(c)-1]
}

// pop drops the oldest entry, which must exist.
func (q *entryQueue) pop() {
	c := q.chunks[0]
	c[q.head] = fifoEntry{} // let the task go
	q.head++
	if q.head < len(c) {
		return
	}
	q.head = 0
	if len(q.chunks) == 1 {
		q.chunks[0] = c[:0]
		return
	}
	if cap(c) == tableChunk {
		q.spare = c[:0]
	}
	q.chunks[0] = nil
	q.chunks = q.chunks[1:]
}
