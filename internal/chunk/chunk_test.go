package chunk

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTableAcrossChunks(t *testing.T) {
	var tb Table[int]
	const n = 3*Size + 5
	for i := range n {
		require.Equal(t, i, tb.Push(i*2))
	}
	require.Equal(t, n, tb.Len())
	for _, i := range []int{0, 15, 16, Size - 1, Size, 2*Size + 1, n - 1} {
		require.Equal(t, i*2, *tb.At(i))
	}
	var got []int
	for v := range tb.All() {
		got = append(got, v)
		if len(got) == 10 {
			break // All stops when asked to
		}
	}
	require.Equal(t, []int{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}, got)
}

// Queue against a slice, with pushes and pops interleaved so that it
// drains, refills, crosses chunks and reuses its spare chunk.
func TestQueueMatchesSlice(t *testing.T) {
	var q Queue[*int]
	var model []*int
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]int, 5*Size)
	next := 0
	for round := range 40 {
		pushes := rng.IntN(2 * Size)
		if round%4 == 3 {
			pushes = 0 // let it drain
		}
		for range pushes {
			v := &values[next%len(values)]
			next++
			q.Push(v)
			model = append(model, v)
		}
		for range rng.IntN(2*Size + 1) {
			e := q.First()
			if len(model) == 0 {
				require.Nil(t, e)
				require.Nil(t, q.Last())
				break
			}
			require.Same(t, model[0], *e)
			require.Same(t, model[len(model)-1], *q.Last())
			q.Pop()
			model = model[1:]
		}
	}
	require.LessOrEqual(t, len(q.chunks), len(model)/Size+2)
}

// Pop clears the slot it leaves, so that the queue keeps nothing alive.
func TestQueuePopClears(t *testing.T) {
	var q Queue[*int]
	v := 1
	q.Push(&v)
	q.Push(&v)
	q.Pop()
	require.Nil(t, q.chunks[0][0])
}

func BenchmarkTablePush(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		var t Table[int64]
		for i := range 100_000 {
			t.Push(int64(i))
		}
	}
}

func BenchmarkQueuePushPop(b *testing.B) {
	var q Queue[int64]
	for i := range 1000 {
		q.Push(int64(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		q.Push(1)
		q.Pop()
	}
}
