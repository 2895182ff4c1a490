package dagq_test

import (
	"context"
	"sync"
	"testing"

	"github.com/dagq/dagq"
)

// BenchmarkStreamEmit measures one emit (ns/op and allocs/op are per
// item) against two baselines measured in the same run: appending to a
// slice under a mutex (the least a stream can do), and one task per item
// (what a producer would cost without streams).
func BenchmarkStreamEmit(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, opts []dagq.Option, ask bool) {
		b.ReportAllocs()
		s := dagq.New(opts...)
		defer s.Shutdown(ctx)
		q, _ := s.Queue("q", 1)
		st := dagq.SubmitStream(q, emitN(b.N, nil))
		if ask {
			for i := range b.N {
				st.At(i)
			}
			b.ResetTimer()
		}
		if err := s.Run(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("baseline-mutex-append", func(b *testing.B) {
		b.ReportAllocs()
		var mu sync.Mutex
		var items []int
		for i := range b.N {
			mu.Lock()
			items = append(items, i)
			mu.Unlock()
		}
		if len(items) != b.N {
			b.Fatal("lost items")
		}
	})
	b.Run("baseline-task-per-item", func(b *testing.B) {
		b.ReportAllocs()
		s := dagq.New()
		defer s.Shutdown(ctx)
		q, _ := s.Queue("q", 1)
		for i := range b.N {
			dagq.Submit(q, func(context.Context) (int, error) { return i, nil })
		}
		if err := s.Run(ctx); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("unwatched", func(b *testing.B) { run(b, nil, false) })
	b.Run("observed", func(b *testing.B) {
		run(b, []dagq.Option{dagq.WithObserver(dagq.ObserverFunc(func(dagq.Event) {}))}, false)
	})
	b.Run("every-item-asked", func(b *testing.B) { run(b, nil, true) })
}
