package dashboard_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dashboard"
)

// benchTasks is the size of the benchmarks' runs (DAGQ_DASHBOARD_TASKS
// overrides it).
func benchTasks() int {
	if n, err := strconv.Atoi(os.Getenv("DAGQ_DASHBOARD_TASKS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// layeredRun submits n no-op tasks in layers of 100, each depending on two
// of the layer before, on queues of size 4, and runs them.
func layeredRun(b *testing.B, s *dagq.Scheduler, n int) {
	q, err := s.Queue("work", 4)
	if err != nil {
		b.Fatal(err)
	}
	noop := func(context.Context) (int, error) { return 0, nil }
	prev := make([]*dagq.Future[int], 0, 100)
	cur := make([]*dagq.Future[int], 0, 100)
	for i := range n {
		var f *dagq.Future[int]
		if len(prev) == 0 {
			f = dagq.Submit(q, noop)
		} else {
			f = dagq.Submit(q, noop, dagq.After(prev[i%len(prev)], prev[(i+1)%len(prev)]))
		}
		if cur = append(cur, f); len(cur) == cap(cur) {
			prev, cur = cur, prev[:0]
		}
	}
	if err := s.Run(bg); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRunWithDashboardOpen measures what a dashboard open in headless
// Chromium costs a run of 1e5 tasks: each iteration runs the same graph
// once bare and once with the page open and following it, alternating,
// and reports both (bare-ns/task, open-ns/task) and their ratio. The
// page's updates are those of the default interval, 250 ms; it refreshes
// its task table every second, as the page does while visible.
func BenchmarkRunWithDashboardOpen(b *testing.B) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		b.Skip("chromium not installed")
	}
	ctx := chromium(b, bg, path)
	n := benchTasks()
	var bare, open time.Duration
	for b.Loop() {
		s := dagq.New(dagq.WithParallelism(4))
		start := time.Now()
		layeredRun(b, s, n)
		bare += time.Since(start)
		if err := s.Shutdown(bg); err != nil {
			b.Fatal(err)
		}

		s = dagq.New(dagq.WithParallelism(4))
		d := dashboard.New(s, quiet)
		srv := httptest.NewServer(d)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			b.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Number(document.body.dataset.updates) > 0`)); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		layeredRun(b, s, n)
		open += time.Since(start)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](count("succeeded")+` === `+strconv.Itoa(n))); err != nil {
			b.Fatal(err)
		}
		d.Close()
		srv.Close()
		if err := s.Shutdown(bg); err != nil {
			b.Fatal(err)
		}
	}
	per := float64(b.N) * float64(n)
	b.ReportMetric(float64(bare.Nanoseconds())/per, "bare-ns/task")
	b.ReportMetric(float64(open.Nanoseconds())/per, "open-ns/task")
	b.ReportMetric(float64(open)/float64(bare), "open/bare")
	b.ReportMetric(0, "ns/op")
}
