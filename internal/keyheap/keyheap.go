// Package keyheap is a binary max-heap of values ranked by two float64
// keys: higher first key first, then higher second key. Comparing keys
// needs no call, which keeps sifting as fast as a hand-written heap for
// each value type. Its entries are kept in fixed-size chunks, so that
// growing a heap never copies more than one chunk: readying millions of
// tasks at once costs no pause longer than a small heap's. A Heap is not
// safe for concurrent use: its owner guards it.
package keyheap

import "math"

const (
	chunkShift = 12
	// ChunkSize is how many entries a full chunk holds; a heap of up to
	// ChunkSize entries is one slice that grows by doubling.
	ChunkSize = 1 << chunkShift
	chunkMask = ChunkSize - 1
	firstSize = 16
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
	// A heap that never held more than ChunkSize entries keeps them in
	// small, which grows by doubling. A larger one keeps entry i in
	// chunks[i>>chunkShift][i&chunkMask], the first chunk being small's
	// array.
	small  []Entry[V]
	chunks []*[ChunkSize]Entry[V]
	n      int
	spare  *[ChunkSize]Entry[V] // the last chunk emptied, kept so that a heap around a chunk boundary does not allocate
}

// Len returns the number of entries.
func (h *Heap[V]) Len() int { return h.n }

// at returns entry i, which must be within the heap's storage.
func (h *Heap[V]) at(i int) *Entry[V] { return at(h.small, h.chunks, i) }

// at returns entry i of a heap's storage, small or chunks.
func at[V any](small []Entry[V], chunks []*[ChunkSize]Entry[V], i int) *Entry[V] {
	if chunks == nil {
		return &small[i]
	}
	return &chunks[i>>chunkShift][i&chunkMask]
}

// capacity returns how many entries the storage holds.
func (h *Heap[V]) capacity() int {
	if h.chunks == nil {
		return len(h.small)
	}
	return len(h.chunks) << chunkShift
}

// grow makes room for one more entry: small doubles up to ChunkSize,
// then whole chunks are added.
func (h *Heap[V]) grow() {
	switch {
	case len(h.small) == 0 && h.chunks == nil:
		h.small = make([]Entry[V], firstSize)
	case len(h.small) < ChunkSize && h.chunks == nil:
		h.small = append(h.small, make([]Entry[V], len(h.small))...)
	default:
		if h.chunks == nil {
			h.chunks, h.small = append(h.chunks, (*[ChunkSize]Entry[V])(h.small)), nil
		}
		c := h.spare
		if c == nil {
			c = new([ChunkSize]Entry[V])
		}
		h.chunks, h.spare = append(h.chunks, c), nil
	}
}

// Push adds v with keys k1, k2. A NaN first key, which compares false
// with everything and would break the heap's order, ranks as -Inf.
func (h *Heap[V]) Push(k1, k2 float64, v V) {
	if k1 != k1 {
		k1 = math.Inf(-1)
	}
	if h.n == h.capacity() {
		h.grow()
	}
	h.n++
	h.up(h.n-1, Entry[V]{k1, k2, v})
}

// Top returns the highest entry, or nil if the heap is empty. It stays
// valid until the heap changes.
func (h *Heap[V]) Top() *Entry[V] {
	if h.n == 0 {
		return nil
	}
	return h.at(0)
}

// Pop removes the highest entry, which must exist, and returns its value.
func (h *Heap[V]) Pop() V {
	v := h.at(0).V
	h.n--
	last := h.at(h.n)
	e := *last
	*last = Entry[V]{} // let the value go
	h.release()
	if h.n > 0 {
		h.down(0, e)
	}
	return v
}

// release drops the chunks past the first that hold no entry, keeping
// the last one dropped as the spare.
func (h *Heap[V]) release() {
	for k := len(h.chunks) - 1; k > 0 && k<<chunkShift >= h.n; k-- {
		h.spare = h.chunks[k]
		h.chunks[k] = nil
		h.chunks = h.chunks[:k]
	}
}

// Keep drops the entries whose value keep rejects and restores the heap
// order, in linear time.
func (h *Heap[V]) Keep(keep func(V) bool) {
	live := 0
	for i := range h.n {
		if e := h.at(i); keep(e.V) {
			*h.at(live) = *e
			live++
		}
	}
	for i := live; i < h.n; i++ {
		*h.at(i) = Entry[V]{}
	}
	h.n = live
	h.release()
	for i := h.n/2 - 1; i >= 0; i-- {
		h.down(i, *h.at(i))
	}
}

// Shrink forgets the heap's storage if it is empty and can hold more than
// n entries, so that a burst does not keep its memory.
func (h *Heap[V]) Shrink(n int) {
	if h.n == 0 && h.capacity() > n {
		h.small, h.chunks, h.spare = nil, nil, nil
	}
}

// up places e, the entry for slot i, sifting it towards the top.
func (h *Heap[V]) up(i int, e Entry[V]) {
	small, chunks := h.small, h.chunks
	hole := at(small, chunks, i)
	for i > 0 {
		i = (i - 1) / 2
		pe := at(small, chunks, i)
		if !e.before(pe) {
			break
		}
		*hole, hole = *pe, pe
	}
	*hole = e
}

// down places e, the entry for slot i, sifting it towards the bottom.
func (h *Heap[V]) down(i int, e Entry[V]) {
	small, chunks, n := h.small, h.chunks, h.n
	hole := at(small, chunks, i)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		ce := at(small, chunks, c)
		if c+1 < n {
			if re := at(small, chunks, c+1); re.before(ce) {
				c, ce = c+1, re
			}
		}
		if !ce.before(&e) {
			break
		}
		*hole, hole = *ce, ce
		i = c
	}
	*hole = e
}
