package dagq_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dagq/dagq"
)

// BenchmarkPacing measures pacing accuracy in real time: each iteration
// releases 1,000 tasks at 1,000/s (one second) and reports the achieved
// rate over the target rate and the lateness of releases (Dispatched −
// Targeted, p50 and p99). "timer-loop" is the baseline: one goroutine that
// sleeps until each release time. "queue" paces tasks submitted up front;
// "feed" pulls them lazily with Feed. Run with -benchtime=10x for a 10 s
// run.
func BenchmarkPacing(b *testing.B) {
	const n, rate = 1000, 1000.0
	period := time.Duration(float64(time.Second) / rate)
	run := func(b *testing.B, once func() (first, last time.Time, late []time.Duration)) {
		var lates []time.Duration
		var ratio float64
		for b.Loop() {
			first, last, late := once()
			ratio += float64(n-1) / last.Sub(first).Seconds() / rate
			lates = append(lates, late...)
		}
		slices.Sort(lates)
		b.ReportMetric(ratio/float64(b.N), "rate/target")
		b.ReportMetric(float64(lates[len(lates)/2].Microseconds()), "p50-late-µs")
		b.ReportMetric(float64(lates[len(lates)*99/100].Microseconds()), "p99-late-µs")
	}
	infos := func(infos []dagq.TaskInfo) (first, last time.Time, late []time.Duration) {
		late = make([]time.Duration, len(infos))
		for i, info := range infos {
			late[i] = info.Dispatched.Sub(info.Targeted)
		}
		return infos[0].Dispatched, infos[len(infos)-1].Dispatched, late
	}
	b.Run("timer-loop", func(b *testing.B) {
		run(b, func() (time.Time, time.Time, []time.Duration) {
			start := time.Now()
			late := make([]time.Duration, n)
			var last time.Time
			for k := range n {
				at := start.Add(time.Duration(k) * period)
				time.Sleep(time.Until(at))
				last = time.Now()
				late[k] = last.Sub(at)
			}
			return start, last, late
		})
	})
	b.Run("queue", func(b *testing.B) {
		run(b, func() (time.Time, time.Time, []time.Duration) {
			s := dagq.New()
			defer s.Shutdown(context.Background())
			q, _ := s.Queue("load", 64, dagq.WithStrategy(dagq.Constant(rate, false)))
			fs := submitN(q, n, sleepFor(0))
			_ = s.Run(context.Background())
			all := make([]dagq.TaskInfo, n)
			for i, f := range fs {
				all[i] = f.Info()
			}
			return infos(all)
		})
	})
	b.Run("feed", func(b *testing.B) {
		run(b, func() (time.Time, time.Time, []time.Duration) {
			s := dagq.New()
			defer s.Shutdown(context.Background())
			q, _ := s.Queue("load", 64, dagq.WithStrategy(dagq.Constant(rate, false)), dagq.MaxTasks(n))
			_ = s.Start(context.Background())
			all := make([]dagq.TaskInfo, 0, n)
			for res := range dagq.Feed(context.Background(), q, (&counter{}).seq(), func(context.Context, int) (int, error) { return 0, nil }) {
				all = append(all, res.Info)
			}
			slices.SortFunc(all, func(a, b dagq.TaskInfo) int { return a.Targeted.Compare(b.Targeted) })
			return infos(all)
		})
	})
}
