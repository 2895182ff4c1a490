package dagq

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"
)

// benchTasks is the size of the observed-run benchmarks.
const benchTasks = 100_000

// runBenchGraph runs benchTasks no-op tasks on the default queue, task i
// depending on task i/2 (a binary tree), and shuts the scheduler down.
func runBenchGraph(b *testing.B, opts ...Option) {
	s := New(opts...)
	q := s.def
	fs := make([]*Future[int], benchTasks)
	fs[0] = Submit(q, func(context.Context) (int, error) { return 0, nil })
	for i := 1; i < benchTasks; i++ {
		fs[i] = Then(q, fs[i/2], func(_ context.Context, v int) (int, error) { return v + 1, nil })
	}
	ctx := context.Background()
	if err := s.Run(ctx); err != nil {
		b.Fatal(err)
	}
	if err := s.Shutdown(ctx); err != nil {
		b.Fatal(err)
	}
}

// coreObservers returns every observer of the core, as a production run
// would attach them: a LogObserver at Info level and a Recorder.
func coreObservers() []Option {
	return []Option{
		WithObserver(LogObserver(slog.New(slog.NewTextHandler(io.Discard, nil)))),
		WithObserver(&Recorder{}),
	}
}

// nopObserver does nothing with events and, like the core observers,
// needs no Stats.Queues: it measures what delivering events costs.
type nopObserver struct{}

func (nopObserver) Observe(Event)         {}
func (nopObserver) ReadsQueueStats() bool { return false }

// BenchmarkObservedRun compares a 1e5-task run with every core observer
// attached to the same run without observers, and with one observer that
// does nothing (the cost of producing and delivering events at all). The
// three runs are interleaved in each iteration; "ratio" and "ratio-nop"
// are the medians over iterations of observed time over bare time, which
// keeps the figures steady on a shared machine.
func BenchmarkObservedRun(b *testing.B) {
	b.ReportAllocs()
	var core, nop []float64
	var bare time.Duration
	for b.Loop() {
		t0 := time.Now()
		runBenchGraph(b)
		t1 := time.Now()
		runBenchGraph(b, coreObservers()...)
		t2 := time.Now()
		runBenchGraph(b, WithObserver(nopObserver{}))
		t3 := time.Now()
		bare += t1.Sub(t0)
		core = append(core, float64(t2.Sub(t1))/float64(t1.Sub(t0)))
		nop = append(nop, float64(t3.Sub(t2))/float64(t1.Sub(t0)))
	}
	b.ReportMetric(median(core), "ratio")
	b.ReportMetric(median(nop), "ratio-nop")
	b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N*benchTasks), "ns/task-bare")
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}
