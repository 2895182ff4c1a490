package dagq_test

import (
	"context"
	"testing"

	"github.com/dagq/dagq"
)

// BenchmarkBackends runs 1,000 independent no-op tasks per iteration on
// each backend, to compare the cost a backend adds to a task with the
// Local fast path in the same run.
func BenchmarkBackends(b *testing.B) {
	const tasks = 1000
	noop := func(context.Context) (int, error) { return 1, nil }
	// mk returns a fresh backend (nil: the default Local) and what drives
	// it once the scheduler started (nil: nothing).
	run := func(b *testing.B, mk func() (dagq.Backend, func())) {
		b.ReportAllocs()
		for b.Loop() {
			backend, drive := mk()
			opts := []dagq.Option{}
			if backend != nil {
				opts = append(opts, dagq.WithBackend("b", backend), dagq.WithDefaultBackend("b"))
			}
			s := dagq.New(opts...)
			q, _ := s.Queue("q", 4)
			for range tasks {
				dagq.Submit(q, noop)
			}
			if err := s.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			if drive != nil {
				drive()
			}
			if err := s.Wait(context.Background()); err != nil {
				b.Fatal(err)
			}
			_ = s.Shutdown(context.Background())
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tasks), "ns/task")
	}
	b.Run("local", func(b *testing.B) {
		run(b, func() (dagq.Backend, func()) { return nil, nil })
	})
	b.Run("fake", func(b *testing.B) {
		run(b, func() (dagq.Backend, func()) {
			return dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{RunFunc: true})), nil
		})
	})
	b.Run("gpu-cpu-slots", func(b *testing.B) {
		run(b, func() (dagq.Backend, func()) {
			g, _ := dagq.NewGPU("", dagq.WithCPUSlots(4))
			return g, nil
		})
	})
	b.Run("pull", func(b *testing.B) {
		run(b, func() (dagq.Backend, func()) {
			p := dagq.NewPull()
			return p, func() {
				for range tasks {
					job, err := p.Next(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					v, err := job.Func(context.Background())
					p.Complete(job, v, err)
				}
			}
		})
	})
}
