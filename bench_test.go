package dagq_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/dagq/dagq"
)

// perTask reports ns, bytes and allocations per task of a benchmark whose
// every op runs n tasks.
func perTask(b *testing.B, n int, op func()) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		op()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	tasks := float64(b.N * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/tasks, "ns/task")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/tasks, "B/task")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/tasks, "allocs/task")
}

func empty(context.Context) (int, error) { return 0, nil }

// shape submits n empty tasks in some dependency shape to q.
type shape func(q *dagq.Queue, n int)

var shapes = []struct {
	name   string
	submit shape
}{
	{"independent", func(q *dagq.Queue, n int) {
		for range n {
			dagq.Submit(q, empty)
		}
	}},
	{"chain", func(q *dagq.Queue, n int) {
		f := dagq.Submit(q, empty)
		for range n - 1 {
			f = dagq.Then(q, f, func(context.Context, int) (int, error) { return 0, nil })
		}
	}},
	{"layered", func(q *dagq.Queue, n int) {
		const width = 100
		rng := rand.New(rand.NewPCG(7, 7))
		prev := make([]*dagq.Future[int], 0, width)
		deps := make([]dagq.Dep, 0, 4) // After copies it
		for i := 0; i < n; i += width {
			layer := make([]*dagq.Future[int], 0, width)
			for range min(width, n-i) {
				deps = deps[:0]
				for range min(4, len(prev)) {
					deps = append(deps, prev[rng.IntN(len(prev))])
				}
				layer = append(layer, dagq.Submit(q, empty, dagq.After(deps...)))
			}
			prev = layer
		}
	}},
}

// BenchmarkScheduler measures Submit-to-Wait for n empty tasks per shape
// (graph construction and validation included), with errgroup running the
// same number of independent tasks as the baseline in the same binary.
func BenchmarkScheduler(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("errgroup/independent/%d", n), func(b *testing.B) {
			perTask(b, n, func() {
				var g errgroup.Group
				g.SetLimit(runtime.GOMAXPROCS(0))
				for range n {
					g.Go(func() error { _, err := empty(ctx); return err })
				}
				_ = g.Wait()
			})
		})
		for _, sh := range shapes {
			// Submitted before Start: the graph is built first, then run.
			b.Run(fmt.Sprintf("dagq-fifo/%s/%d", sh.name, n), func(b *testing.B) {
				perTask(b, n, func() {
					s := dagq.New()
					sh.submit(s.DefaultQueue(), n)
					if err := s.Run(ctx); err != nil {
						b.Fatal(err)
					}
					_ = s.Shutdown(ctx)
				})
			})
			// Started first: tasks run while the graph is being submitted,
			// as errgroup's Go runs them.
			b.Run(fmt.Sprintf("dagq-fifo-live/%s/%d", sh.name, n), func(b *testing.B) {
				perTask(b, n, func() {
					s := dagq.New()
					if err := s.Start(ctx); err != nil {
						b.Fatal(err)
					}
					sh.submit(s.DefaultQueue(), n)
					if err := s.Wait(ctx); err != nil {
						b.Fatal(err)
					}
					_ = s.Shutdown(ctx)
				})
			})
		}
	}
}

// retained is an object of the size of a Submit task, 288 bytes of
// pointer words that the collector scans as it scans a future: what one
// allocation per task costs, at the least.
type retained [36]*int

var retainedSink []*retained

// BenchmarkSchedulerPhases splits Submit-to-Wait of 1e5 empty tasks per
// shape into its two phases, "submit-ns/task" (New and Submit, before
// Start) and "run-ns/task" (Run and Shutdown). The baseline "retain"
// allocates and keeps one 288-byte object per task, as a scheduler keeps
// each task's future: the least any per-task object costs, garbage
// collection included.
func BenchmarkSchedulerPhases(b *testing.B) {
	const n = 100_000
	b.Run("retain", func(b *testing.B) {
		for b.Loop() {
			objs := make([]*retained, n)
			for i := range objs {
				objs[i] = new(retained)
			}
			retainedSink = objs
		}
		retainedSink = nil
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/task")
	})
	ctx := context.Background()
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			var submit, run time.Duration
			for b.Loop() {
				t0 := time.Now()
				s := dagq.New()
				sh.submit(s.DefaultQueue(), n)
				t1 := time.Now()
				if err := s.Run(ctx); err != nil {
					b.Fatal(err)
				}
				_ = s.Shutdown(ctx)
				submit += t1.Sub(t0)
				run += time.Since(t1)
			}
			b.ReportMetric(float64(submit.Nanoseconds())/float64(b.N*n), "submit-ns/task")
			b.ReportMetric(float64(run.Nanoseconds())/float64(b.N*n), "run-ns/task")
		})
	}
}
