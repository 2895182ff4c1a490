package dagq

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTableAcrossChunks(t *testing.T) {
	var tb table[int]
	const n = 3*tableChunk + 5
	for i := range n {
		require.Equal(t, i, tb.push(i*2))
	}
	require.Equal(t, n, tb.len())
	for _, i := range []int{0, 15, 16, tableChunk - 1, tableChunk, 2*tableChunk + 1, n - 1} {
		require.Equal(t, i*2, *tb.at(i))
	}
	var got []int
	for v := range tb.all() {
		got = append(got, v)
		if len(got) == 10 {
			break // all stops when asked to
		}
	}
	require.Equal(t, []int{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}, got)
}

// entryQueue against a slice, with pushes and pops interleaved so that it
// drains, refills, crosses chunks and reuses its spare chunk.
func TestEntryQueueMatchesSlice(t *testing.T) {
	var q entryQueue
	var model []*node
	rng := rand.New(rand.NewPCG(1, 2))
	nodes := make([]node, 5*tableChunk)
	next := 0
	for round := range 40 {
		pushes := rng.IntN(2 * tableChunk)
		if round%4 == 3 {
			pushes = 0 // let it drain
		}
		for range pushes {
			n := &nodes[next%len(nodes)]
			next++
			q.push(fifoEntry{n: n})
			model = append(model, n)
		}
		for range rng.IntN(2*tableChunk + 1) {
			e := q.first()
			if len(model) == 0 {
				require.Nil(t, e)
				require.Nil(t, q.last())
				break
			}
			require.Same(t, model[0], e.n)
			require.Same(t, model[len(model)-1], q.last().n)
			q.pop()
			model = model[1:]
		}
	}
	require.LessOrEqual(t, len(q.chunks), len(model)/tableChunk+2)
}

// A scheduler refuses tasks beyond maxTasks, which edges could not name.
func TestTaskLimit(t *testing.T) {
	s := New()
	defer s.Shutdown(context.Background())
	s.nodes.n = maxTasks // as if full; nothing is read from the missing chunks
	f := Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 1, nil })
	_, err := f.Get(context.Background())
	var se *SubmitError
	require.ErrorAs(t, err, &se)
	require.ErrorContains(t, err, "at most 1073741823")
	require.ErrorContains(t, s.Add(Spec{Name: "a", Run: func(context.Context) error { return nil }}), "at most")
	s.nodes.n = 0
}
