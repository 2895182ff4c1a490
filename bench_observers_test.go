package dagq

import (
	"context"
	"io"
	"log/slog"
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

func (nopObserver) Observe(Event) {}
func (nopObserver) queuesUnused() {}

// BenchmarkObservedRun compares a 1e5-task run with every core observer
// attached ("ratio": observed time over bare time, both measured in each
// iteration, interleaved) and with one observer that does nothing
// ("ratio-nop": the cost of producing and delivering events at all).
func BenchmarkObservedRun(b *testing.B) {
	b.ReportAllocs()
	var bare, observed, nop time.Duration
	for b.Loop() {
		t0 := time.Now()
		runBenchGraph(b)
		t1 := time.Now()
		runBenchGraph(b, coreObservers()...)
		t2 := time.Now()
		runBenchGraph(b, WithObserver(nopObserver{}))
		bare += t1.Sub(t0)
		observed += t2.Sub(t1)
		nop += time.Since(t2)
	}
	b.ReportMetric(float64(observed)/float64(bare), "ratio")
	b.ReportMetric(float64(nop)/float64(bare), "ratio-nop")
	b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N*benchTasks), "ns/task-bare")
}
