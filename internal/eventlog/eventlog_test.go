package eventlog

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// reader reads records from p up to the published count, releasing the
// chunks it leaves, and returns its new position and what it read.
func read(l *Log[int, string], p Pos[int, string], got []int) (Pos[int, string], []int) {
	limit := l.Seq()
	for p.Seq() < limit {
		if p.I == ChunkLen {
			c := p.C
			p = Pos[int, string]{c.Next(), 0}
			l.Release(c)
			continue
		}
		got = append(got, p.C.Recs[p.I])
		p.I++
	}
	return p, got
}

// Readers on their own goroutines see every record written after they
// attached, in order, while the writer publishes under its lock; chunks
// passed by all are reused.
func TestReadersSeeEveryRecord(t *testing.T) {
	var l Log[int, string]
	var mu sync.Mutex
	const n = 20 * ChunkLen
	mu.Lock()
	starts := []Pos[int, string]{l.AttachLocked(), l.AttachLocked()}
	mu.Unlock()
	var wg sync.WaitGroup
	results := make([][]int, len(starts))
	for i, p := range starts {
		wg.Go(func() {
			var got []int
			for len(got) < n {
				p, got = read(&l, p, got)
			}
			results[i] = got
		})
	}
	for i := range n {
		mu.Lock()
		r := l.ReserveLocked(len(starts))
		*r = i
		if i%7 == 0 {
			*l.MoreLocked() = "seven"
		}
		l.PublishLocked(r)
		mu.Unlock()
	}
	wg.Wait()
	for _, got := range results {
		require.Len(t, got, n)
		for i, v := range got {
			require.Equal(t, i, v)
		}
	}
	require.Equal(t, uint64(n), l.Seq())
	require.NotZero(t, l.Reusable(), "chunks both readers passed are kept")
	require.LessOrEqual(t, l.Reusable(), maxFree)
}

// A reader attached later starts at the next record; EndLocked is where
// a reader that leaves now stops.
func TestAttachStartsAtTheNextRecord(t *testing.T) {
	var l Log[int, string]
	first := l.AttachLocked()
	for i := range 3 {
		r := l.ReserveLocked(1)
		*r = i
		l.PublishLocked(r)
	}
	late := l.AttachLocked()
	require.Equal(t, uint64(3), late.Seq())
	require.Equal(t, uint64(3), l.EndLocked().Seq())
	_, got := read(&l, first, nil)
	require.Equal(t, []int{0, 1, 2}, got)
	require.Panics(t, func() { l.PublishLocked(new(int)) }, "only the reserved record can be published")
}

func BenchmarkPublish(b *testing.B) {
	var l Log[[8]int64, string]
	p := l.AttachLocked()
	b.ReportAllocs()
	for b.Loop() {
		r := l.ReserveLocked(1)
		r[0] = 1
		l.PublishLocked(r)
		for p.C != l.tail { // the reader keeps up: chunks are reused
			c := p.C
			p = Pos[[8]int64, string]{c.Next(), 0}
			l.Release(c)
		}
	}
}
