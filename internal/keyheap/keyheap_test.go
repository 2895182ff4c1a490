package keyheap

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type kv struct {
	k1, k2 float64
	v      int
}

// drain pops everything, in heap order.
func drain(h *Heap[int]) (out []int) {
	for h.Len() > 0 {
		out = append(out, h.Pop())
	}
	return out
}

// TestHeapMatchesSort pushes and pops at random against a sorted model,
// with many ties in the first key.
func TestHeapMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var h Heap[int]
	var model []kv
	order := func(a, b kv) int {
		if c := cmp.Compare(b.k1, a.k1); c != 0 {
			return c
		}
		return cmp.Compare(b.k2, a.k2)
	}
	for i := range 20_000 {
		if rng.IntN(3) > 0 || len(model) == 0 {
			e := kv{float64(rng.IntN(10)), float64(i), i}
			h.Push(e.k1, e.k2, e.v)
			model = append(model, e)
			continue
		}
		slices.SortFunc(model, order)
		top := h.Top()
		require.Equal(t, model[0].v, top.V)
		require.Equal(t, model[0].k1, top.K1)
		require.Equal(t, model[0].v, h.Pop())
		model = model[1:]
	}
	slices.SortFunc(model, order)
	var want []int
	for _, e := range model {
		want = append(want, e.v)
	}
	require.Equal(t, want, drain(&h))
	require.Nil(t, h.Top())
}

// A NaN key ranks lowest and leaves the order of the others intact.
func TestNaNRanksLowest(t *testing.T) {
	var h Heap[int]
	for i, k := range []float64{4, math.NaN(), 9, math.Inf(1), 1, math.NaN(), 7} {
		h.Push(k, -float64(i), i)
	}
	require.Equal(t, []int{3, 2, 6, 0, 4, 1, 5}, drain(&h))
}

func TestKeepAndShrink(t *testing.T) {
	var h Heap[int]
	for i := range 100 {
		h.Push(float64(i%10), float64(i), i)
	}
	h.Keep(func(v int) bool { return v%2 == 0 })
	require.Equal(t, 50, h.Len())
	got := drain(&h)
	require.Equal(t, []int{98, 88, 78}, got[:3], "k1 9 is never even: 8, by k2")
	for _, v := range got {
		require.Zero(t, v%2)
	}
	h.Shrink(1 << 20)
	require.NotNil(t, h.small, "small storage is kept")
	h.Shrink(0)
	require.Nil(t, h.small)
}

// A heap of several chunks keeps its order through pushes, pops and Keep;
// growing it never moves the entries it holds, and it keeps no more
// chunks than its entries need (plus one spare).
func TestChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var h Heap[int]
	n := 5*ChunkSize + 123
	for i := range n {
		h.Push(float64(rng.IntN(50)), float64(i), i)
	}
	require.Len(t, h.chunks, 6)
	second := &h.chunks[1][0]
	for i := range 3 * ChunkSize {
		h.Push(float64(rng.IntN(50)), float64(n+i), n+i)
	}
	require.Same(t, second, &h.chunks[1][0], "growing copies no chunk but the first")

	h.Keep(func(v int) bool { return v%3 == 0 })
	require.Equal(t, (n+3*ChunkSize+2)/3, h.Len())
	require.Len(t, h.chunks, (h.Len()+ChunkSize-1)/ChunkSize, "Keep releases the chunks it emptied")

	prev := h.Top()
	k1, k2 := prev.K1, prev.K2
	for h.Len() > 0 {
		top := h.Top()
		require.Zero(t, top.V%3)
		require.True(t, top.K1 < k1 || (top.K1 == k1 && top.K2 <= k2), "popped in order")
		k1, k2 = top.K1, top.K2
		h.Pop()
		require.Equal(t, max(1, (h.Len()+ChunkSize-1)/ChunkSize), len(h.chunks))
	}
	require.NotNil(t, h.spare)
}

// A heap that goes back and forth over a chunk boundary reuses its spare
// chunk instead of allocating.
func TestChunkBoundaryDoesNotAllocate(t *testing.T) {
	var h Heap[int]
	for i := range 2 * ChunkSize {
		h.Push(float64(i), 0, i)
	}
	allocs := testing.AllocsPerRun(100, func() {
		h.Push(-1, 0, 0)
		h.Pop()
		h.Pop()
		h.Push(1e9, 0, 0)
	})
	require.Zero(t, allocs)
	require.Equal(t, 2*ChunkSize, h.Len())
}

// BenchmarkPushPop pushes and pops one entry on a heap of a given size:
// 1,024 entries fit in its first chunk, 1<<17 span 32 chunks.
func BenchmarkPushPop(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	keys := make([]float64, 1<<16)
	for i := range keys {
		keys[i] = rng.Float64()
	}
	for _, size := range []int{1 << 10, 1 << 17} {
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			var h Heap[*int]
			v := new(int)
			for i := range size {
				h.Push(keys[i&(len(keys)-1)], 0, v)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.Push(keys[i&(len(keys)-1)], float64(i), v)
				h.Pop()
				i++
			}
		})
	}
}

// BenchmarkFill pushes 1e6 entries into an empty heap and pops them all,
// as a queue does when a million tasks are readied at once.
func BenchmarkFill(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	keys := make([]float64, 1<<20)
	for i := range keys {
		keys[i] = rng.Float64()
	}
	v := new(int)
	b.ReportAllocs()
	for b.Loop() {
		var h Heap[*int]
		for _, k := range keys {
			h.Push(k, 0, v)
		}
		for h.Len() > 0 {
			h.Pop()
		}
	}
}
