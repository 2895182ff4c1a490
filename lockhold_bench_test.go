package dagq_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dagq/dagq"
)

// holdProbe measures, from another goroutine, how long the scheduler's
// lock is held at most: it calls Queue.Counts (one short hold, no
// allocation, so no garbage-collection assist is counted) in a loop and
// keeps the longest call.
type holdProbe struct {
	stop    chan struct{}
	wg      sync.WaitGroup
	longest atomic.Int64
}

func probeHolds(q *dagq.Queue) *holdProbe {
	p := &holdProbe{stop: make(chan struct{})}
	p.wg.Go(func() {
		for {
			select {
			case <-p.stop:
				return
			default:
			}
			t := time.Now()
			_ = q.Counts()
			if d := int64(time.Since(t)); d > p.longest.Load() {
				p.longest.Store(d)
			}
		}
	})
	return p
}

func (p *holdProbe) end() time.Duration {
	close(p.stop)
	p.wg.Wait()
	return time.Duration(p.longest.Load())
}

// holdTasks is the size of the graphs of BenchmarkLockHold: 1e6, or
// DAGQ_HOLD_TASKS (1e7 takes about 4 GB).
func holdTasks() int {
	if n, err := strconv.Atoi(os.Getenv("DAGQ_HOLD_TASKS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkLockHold cancels the head of a chain of holdTasks tasks (every
// one is killed) and shuts down a scheduler holding holdTasks blocked
// tasks, readies holdTasks tasks at once into a heap-ordered queue (the
// default policy, by weight), and reports the longest hold of the lock seen meanwhile
// ("max-hold-ms", by a goroutine calling Queue.Counts in a loop) and how long a
// task submitted to an unrelated queue just then took to start
// ("other-start-ms": no task starts before the kill is done):
//
//	go test -run '^$' -bench LockHold -benchtime 1x .
//	DAGQ_HOLD_TASKS=10000000 go test -run '^$' -bench LockHold -benchtime 1x .
func BenchmarkLockHold(b *testing.B) {
	n := holdTasks()
	ctx := context.Background()
	b.Run("cancel-chain", func(b *testing.B) {
		var hold, other, cancel time.Duration
		for range b.N {
			b.StopTimer()
			s := dagq.New()
			chain, _ := s.Queue("chain", 1)
			unrelated, _ := s.Queue("other", 1)
			head, _, release := dagq.BlockedChain(chain, n)
			if err := s.Start(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			p := probeHolds(unrelated)
			started := make(chan time.Time, 1)
			var at time.Time
			go func() {
				time.Sleep(time.Millisecond) // once the kill is under way
				at = time.Now()
				dagq.Submit(unrelated, func(context.Context) (int, error) { started <- time.Now(); return 0, nil })
			}()
			t := time.Now()
			s.Cancel(head.ID(), "benchmark")
			cancel += time.Since(t)
			other += (<-started).Sub(at)
			hold = max(hold, p.end())
			b.StopTimer()
			if got := s.Stats().Killed; got != n {
				b.Fatalf("%d killed, want %d", got, n)
			}
			close(release)
			_ = s.Shutdown(ctx)
		}
		b.ReportMetric(float64(hold.Microseconds())/1000, "max-hold-ms")
		b.ReportMetric(float64(other.Microseconds())/1000/float64(b.N), "other-start-ms")
		b.ReportMetric(float64(cancel.Milliseconds())/float64(b.N), "cancel-ms")
	})
	b.Run("shutdown", func(b *testing.B) {
		var hold time.Duration
		for range b.N {
			b.StopTimer()
			s := dagq.New()
			gate := make(chan struct{})
			blocker := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { <-gate; return 0, nil })
			for range n {
				dagq.Submit(s.DefaultQueue(), empty, dagq.After(blocker))
			}
			if err := s.Start(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			p := probeHolds(s.DefaultQueue())
			go func() { // the blocker ends once Shutdown killed every task behind it
				for s.Stats().Killed < n {
					time.Sleep(time.Millisecond)
				}
				close(gate)
			}()
			_ = s.Shutdown(ctx)
			hold = max(hold, p.end())
		}
		b.ReportMetric(float64(hold.Microseconds())/1000, "max-hold-ms")
	})
	b.Run("ready", func(b *testing.B) {
		var hold time.Duration
		for range b.N {
			b.StopTimer()
			s := dagq.New()
			q, _ := s.Queue("ready", 1) // one worker: the readied tasks wait in the heap, popped one at a time
			gate := make(chan struct{})
			blocker := dagq.Submit(q, func(context.Context) (int, error) { <-gate; return 0, nil })
			for i := range n {
				dagq.Submit(q, empty, dagq.After(blocker), dagq.Weight(float64(i%1000)))
			}
			if err := s.Start(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			p := probeHolds(q)
			close(gate)
			if err := s.Wait(ctx); err != nil {
				b.Fatal(err)
			}
			hold = max(hold, p.end())
			b.StopTimer()
			_ = s.Shutdown(ctx)
		}
		b.ReportMetric(float64(hold.Microseconds())/1000, "max-hold-ms")
	})
}
