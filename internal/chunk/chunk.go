// Package chunk holds containers kept in fixed-size chunks, so that
// growing one never copies what it already holds: a Table (an append-only
// array) and a Queue (FIFO). Only the first chunk grows by doubling,
// which keeps small containers small. They are not safe for concurrent
// use: their owner guards them.
package chunk

import "iter"

// Size is how many elements a full chunk holds.
const Size = 4096

// firstSize is the capacity of a container's first chunk.
const firstSize = 16

// Table is an append-only array. The zero value is empty and ready to
// use.
type Table[T any] struct {
	chunks [][]T
	n      int
}

// Push appends v and returns its index.
func (t *Table[T]) Push(v T) int {
	last := len(t.chunks) - 1
	if last < 0 || len(t.chunks[last]) == Size {
		c := Size
		if last < 0 {
			c = firstSize
		}
		t.chunks = append(t.chunks, make([]T, 0, c))
		last++
	}
	t.chunks[last] = append(t.chunks[last], v)
	t.n++
	return t.n - 1
}

// At returns a pointer to element i, which must exist.
func (t *Table[T]) At(i int) *T { return &t.chunks[i/Size][i%Size] }

// Len returns the number of elements.
func (t *Table[T]) Len() int { return t.n }

// All yields the elements in order.
func (t *Table[T]) All() iter.Seq[T] {
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

// Queue is a FIFO queue. A drained full chunk is kept for reuse. The zero
// value is empty and ready to use.
type Queue[T any] struct {
	chunks [][]T // elements from chunks[0][head] on
	head   int
	spare  []T
}

// Push appends v.
func (q *Queue[T]) Push(v T) {
	if len(q.chunks) == 0 {
		q.chunks = append(q.chunks, make([]T, 0, firstSize))
	}
	last := len(q.chunks) - 1
	if len(q.chunks[last]) == Size {
		c := q.spare
		if c == nil {
			c = make([]T, 0, Size)
		}
		q.chunks, q.spare = append(q.chunks, c), nil
		last++
	}
	q.chunks[last] = append(q.chunks[last], v)
}

// First returns the oldest element, or nil if the queue is empty.
func (q *Queue[T]) First() *T {
	if len(q.chunks) == 0 || q.head == len(q.chunks[0]) {
		return nil
	}
	return &q.chunks[0][q.head]
}

// Last returns the newest element, or nil if the queue is empty.
func (q *Queue[T]) Last() *T {
	if q.First() == nil {
		return nil
	}
	c := q.chunks[len(q.chunks)-1]
	return &c[len(c)-1]
}

// Pop drops the oldest element, which must exist, clearing its slot.
func (q *Queue[T]) Pop() {
	c := q.chunks[0]
	var zero T
	c[q.head] = zero
	q.head++
	if q.head < len(c) {
		return
	}
	q.head = 0
	if len(q.chunks) == 1 {
		q.chunks[0] = c[:0]
		return
	}
	if cap(c) == Size {
		q.spare = c[:0]
	}
	q.chunks[0] = nil
	q.chunks = q.chunks[1:]
}
