// Package keyheap is a binary max-heap of values ranked by two float64
// keys: higher first key first, then higher second key. Comparing keys
// needs no call, which keeps sifting as fast as a hand-written heap for
// each value type. A Heap is not safe for concurrent use: its owner
// guards it.
package keyheap

import (
	"math"
	"slices"
)

// Entry is a value with its keys.
type Entry[V any] struct {
	K1, K2 float64
	V      V
}

// before reports whether e ranks above f.
func (e *Entry[V]) before(f *Entry[V]) bool {
	return e.K1 > f.K1 || (e.K1 == f.K1 && e.K2 > f.K2)
}

// Heap is a max-heap of entries. The zero value is empty and ready to
// use.
type Heap[V any] struct {
	h []Entry[V]
}

// Len returns the number of entries.
func (h *Heap[V]) Len() int { return len(h.h) }

// Push adds v with keys k1, k2. A NaN first key, which compares false
// with everything and would break the heap's order, ranks as -Inf.
func (h *Heap[V]) Push(k1, k2 float64, v V) {
	if k1 != k1 {
		k1 = math.Inf(-1)
	}
	if len(h.h) == cap(h.h) {
		h.h = slices.Grow(h.h, len(h.h)) // doubling: append grows large slices by 1.25×, copying 5 entries per push
	}
	h.h = append(h.h, Entry[V]{k1, k2, v})
	h.up(len(h.h) - 1)
}

// Top returns the highest entry, or nil if the heap is empty. It stays
// valid until the heap changes.
func (h *Heap[V]) Top() *Entry[V] {
	if len(h.h) == 0 {
		return nil
	}
	return &h.h[0]
}

// Pop removes the highest entry, which must exist, and returns its value.
func (h *Heap[V]) Pop() V {
	v := h.h[0].V
	last := len(h.h) - 1
	h.h[0] = h.h[last]
	h.h[last] = Entry[V]{} // let the value go
	h.h = h.h[:last]
	if last > 0 {
		h.down(0)
	}
	return v
}

// Keep drops the entries whose value keep rejects and restores the heap
// order, in linear time.
func (h *Heap[V]) Keep(keep func(V) bool) {
	live := h.h[:0]
	for _, e := range h.h {
		if keep(e.V) {
			live = append(live, e)
		}
	}
	clear(h.h[len(live):])
	h.h = live
	for i := len(live)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// Shrink forgets the heap's storage if it is empty and can hold more than
// n entries, so that a burst does not keep its memory.
func (h *Heap[V]) Shrink(n int) {
	if len(h.h) == 0 && cap(h.h) > n {
		h.h = nil
	}
}

func (h *Heap[V]) up(i int) {
	e := h.h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&h.h[p]) {
			break
		}
		h.h[i] = h.h[p]
		i = p
	}
	h.h[i] = e
}

func (h *Heap[V]) down(i int) {
	n := len(h.h)
	e := h.h[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h.h[r].before(&h.h[c]) {
			c = r
		}
		if !h.h[c].before(&e) {
			break
		}
		h.h[i] = h.h[c]
		i = c
	}
	h.h[i] = e
}
