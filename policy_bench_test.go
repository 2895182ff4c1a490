//go:build unix

package dagq_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dagq/dagq"
)

// submitLayered submits about n tasks in layers of 100, each task
// depending on two tasks of the layer above.
func submitLayered(q *dagq.Queue, n int) int {
	const width = 100
	prev := make([]*dagq.Future[int], width)
	cur := make([]*dagq.Future[int], width)
	for j := range width {
		prev[j] = dagq.Submit(q, func(context.Context) (int, error) { return j, nil })
	}
	for range n/width - 1 {
		for j := range width {
			cur[j] = dagq.Then2(q, prev[j], prev[(j*7+1)%width], func(_ context.Context, a, b int) (int, error) { return a + b, nil })
		}
		prev, cur = cur, prev
	}
	return n / width * width
}

// submitSmqschedN submits smqsched's program with m*m+2m ≈ n tasks.
func submitSmqschedN(q *dagq.Queue, n int) int {
	m := 1
	for (m+1)*(m+1)+2*(m+1) <= n {
		m++
	}
	submitSmqsched(q, m)
	return m*m + 2*m
}

// BenchmarkPolicy measures the whole cost per task (submission, ranking,
// dispatch, execution of an empty body) of a graph, for each policy, on a
// queue of GOMAXPROCS slots: the layered DAG and smqsched's program
// submitted before Start, and the layered DAG submitted while running
// ("layered-live": ranks change while tasks run). Compare ns/task between
// policies of one graph and size, and between sizes. Besides wall time it
// reports cpu-ns/task, the process's CPU time (user + system) per task,
// which other processes on a shared machine disturb much less.
// DAGQ_BENCH_SIZES overrides the sizes (e.g. "10000,100000,1000000").
func BenchmarkPolicy(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if env := os.Getenv("DAGQ_BENCH_SIZES"); env != "" {
		sizes = sizes[:0]
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("DAGQ_BENCH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	graphs := []struct {
		name   string
		submit func(*dagq.Queue, int) int
		live   bool
	}{{"layered", submitLayered, false}, {"smqsched", submitSmqschedN, false}, {"layered-live", submitLayered, true}}
	policies := []dagq.Policy{dagq.FIFO(), dagq.LatestFirst(), dagq.CriticalPath(), dagq.ByPriority(0),
		dagq.ShortestFirst(), dagq.FairShare(nil)}
	for _, g := range graphs {
		for _, n := range sizes {
			for _, p := range policies {
				b.Run(fmt.Sprintf("%s/n=%d/%v", g.name, n, p), func(b *testing.B) {
					b.ReportAllocs()
					tasks := 0
					cpu0 := cpuTime(b)
					for b.Loop() {
						s := dagq.New()
						q, err := s.Queue("q", runtime.GOMAXPROCS(0), dagq.WithQueuePolicy(p))
						if err != nil {
							b.Fatal(err)
						}
						if g.live {
							tasks += startThen(b, s, func() int { return g.submit(q, n) })
						} else {
							tasks += g.submit(q, n)
							startThen(b, s, func() int { return 0 })
						}
						if err := s.Wait(context.Background()); err != nil {
							b.Fatal(err)
						}
						if err := s.Shutdown(context.Background()); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(tasks), "ns/task")
					b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(tasks), "cpu-ns/task")
				})
			}
		}
	}
}

// startThen starts s, then calls submit.
func startThen(b *testing.B, s *dagq.Scheduler, submit func() int) int {
	if err := s.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return submit()
}

// cpuTime returns the CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
