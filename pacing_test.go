package dagq_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// pacedRun runs a scheduler with one queue made with opts, with tasks
// submitted by add before Start, inside a synctest bubble; it returns the
// time of Start.
func pacedRun(t *testing.T, size int, opts []dagq.QueueOption, add func(q *dagq.Queue)) time.Time {
	t.Helper()
	ctx := context.Background()
	cc := dagqtest.NewChecker(dagqtest.Limits{})
	s := dagq.New(dagq.WithObserver(cc))
	q, err := s.Queue("load", size, opts...)
	require.NoError(t, err)
	add(q)
	start := time.Now()
	_ = s.Run(ctx)
	require.NoError(t, s.Shutdown(ctx))
	require.Empty(t, cc.Violations())
	return start
}

func sleepFor(d time.Duration) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		time.Sleep(d)
		return 0, nil
	}
}

// targeted returns each future's Targeted time relative to start, and
// checks that it was dispatched at that time exactly (virtual time).
func targeted(t *testing.T, start time.Time, fs []*dagq.Future[int]) []time.Duration {
	t.Helper()
	out := make([]time.Duration, len(fs))
	for i, f := range fs {
		info := f.Info()
		require.Equal(t, dagq.Succeeded, info.Status)
		out[i] = info.Targeted.Sub(start)
		require.Equal(t, out[i], info.Dispatched.Sub(start), "task %d dispatched late", i)
		require.False(t, info.Started.Before(info.Dispatched))
		require.False(t, info.Finished.Before(info.Started))
		require.False(t, info.Ready.Before(info.Submitted))
	}
	return out
}

func submitN(q *dagq.Queue, n int, fn func(context.Context) (int, error)) []*dagq.Future[int] {
	fs := make([]*dagq.Future[int], n)
	for i := range fs {
		fs[i] = dagq.Submit(q, fn)
	}
	return fs
}

func TestStrategiesTargetExactReleaseTimes(t *testing.T) {
	tests := []struct {
		name   string
		opts   []dagq.QueueOption
		want   []time.Duration
		length time.Duration
	}{
		{"constant", []dagq.QueueOption{dagq.WithStrategy(dagq.Constant(10, false))},
			ms(0, 100, 200, 300, 400, 500), 250 * time.Millisecond},
		{"constant burst", []dagq.QueueOption{dagq.WithStrategy(dagq.Constant(3, true))},
			ms(0, 0, 0, 1000.0/3, 2000.0/3, 1000), time.Second},
		{"constant rampup", []dagq.QueueOption{dagq.WithStrategy(dagq.Constant(1, false)), dagq.Rampup(8 * time.Second)},
			ms(0, 4000, 5000*1.1313708498984762, 6928.203230275509, 8000, 9000), time.Millisecond},
		{"poisson", []dagq.QueueOption{dagq.WithStrategy(dagq.Poisson(5, false, 42))},
			offsets(t, dagq.Poisson(5, false, 42), 0, 6), time.Millisecond},
		{"poisson burst", []dagq.QueueOption{dagq.WithStrategy(dagq.Poisson(2, true, 42))},
			offsets(t, dagq.Poisson(2, true, 42), 0, 6), time.Millisecond},
		{"throughput", []dagq.QueueOption{dagq.WithStrategy(dagq.Throughput(0))},
			ms(0, 0, 0, 0), time.Second},
		// A task of Synchronous is released when the previous one finished.
		{"synchronous", []dagq.QueueOption{dagq.WithStrategy(dagq.Synchronous())},
			ms(0, 300, 600, 900), 300 * time.Millisecond},
		// Two streams: each task goes when a slot frees.
		{"concurrent", []dagq.QueueOption{dagq.WithStrategy(dagq.Concurrent(2))},
			ms(0, 0, 300, 300, 600), 300 * time.Millisecond},
		{"concurrent rampup", []dagq.QueueOption{dagq.WithStrategy(dagq.Concurrent(2)), dagq.Rampup(time.Second)},
			ms(0, 500, 1000, 1500), time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var fs []*dagq.Future[int]
				start := pacedRun(t, 100, tt.opts, func(q *dagq.Queue) { fs = submitN(q, len(tt.want), sleepFor(tt.length)) })
				got := targeted(t, start, fs)
				require.Len(t, got, len(tt.want))
				for i := range got {
					require.InDelta(t, tt.want[i], got[i], 1, "task %d: got %v, want %v", i, got[i], tt.want[i])
				}
			})
		})
	}
}

func TestConcurrencyCapsAreNeverExceeded(t *testing.T) {
	for _, tt := range []struct {
		st   dagq.Strategy
		size int
		want int
	}{
		{dagq.Synchronous(), 8, 1},
		{dagq.Concurrent(3), 8, 3},
		{dagq.Throughput(5), 8, 5},
		{dagq.Throughput(5), 2, 2},
		{dagq.Throughput(0), 4, 4},
		{dagq.Constant(1000, true), 6, 6},
	} {
		t.Run(fmt.Sprintf("%v/size%d", tt.st, tt.size), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var running, peak atomic.Int32
				fn := func(ctx context.Context) (int, error) {
					n := running.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					time.Sleep(time.Duration(1+n%3) * 10 * time.Millisecond)
					running.Add(-1)
					return 0, nil
				}
				pacedRun(t, tt.size, []dagq.QueueOption{dagq.WithStrategy(tt.st)}, func(q *dagq.Queue) { submitN(q, 40, fn) })
				require.Equal(t, int32(tt.want), peak.Load())
			})
		})
	}
}

func TestPacedQueueDoesNotDelayOtherQueues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := dagq.New()
		slow, err := s.Queue("slow", 4, dagq.WithStrategy(dagq.Constant(0.1, false)))
		require.NoError(t, err)
		fast, err := s.Queue("fast", 1)
		require.NoError(t, err)
		paced := submitN(slow, 2, sleepFor(0))
		free := submitN(fast, 3, sleepFor(time.Second))
		start := time.Now()
		require.NoError(t, s.Start(ctx))
		_, err = free[2].Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 3*time.Second, time.Since(start))
		require.Equal(t, dagq.Queued, paced[1].Status(), "released at 10s")
		require.NoError(t, s.Wait(ctx))
		require.Equal(t, 10*time.Second, paced[1].Info().Targeted.Sub(start))
		require.NoError(t, s.Shutdown(ctx))
	})
}

func TestPacingRunStartsWithFirstReadyTask(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := dagq.New()
		q, err := s.Queue("load", 4, dagq.WithStrategy(dagq.Constant(2, false)))
		require.NoError(t, err)
		require.NoError(t, s.Start(ctx))
		time.Sleep(time.Minute)
		start := time.Now()
		fs := submitN(q, 3, sleepFor(0))
		require.NoError(t, s.Wait(ctx))
		require.Equal(t, ms(0, 500, 1000), targeted(t, start, fs))

		// Pausing does not shift the schedule: releases that came due
		// meanwhile go out at once on Resume, with their own Targeted.
		s.Pause()
		more := submitN(q, 3, sleepFor(0))
		time.Sleep(2 * time.Second)
		s.Resume()
		require.NoError(t, s.Wait(ctx))
		for i, f := range more {
			info := f.Info()
			require.Equal(t, ms(1500, 2000, 2500)[i], info.Targeted.Sub(start))
			require.Equal(t, 3*time.Second, info.Dispatched.Sub(start))
		}
		require.NoError(t, s.Shutdown(ctx))
	})
}

func TestShutdownStopsPacingTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := dagq.New()
		q, err := s.Queue("load", 4, dagq.WithStrategy(dagq.Constant(1, false)), dagq.MaxDuration(time.Hour))
		require.NoError(t, err)
		fs := submitN(q, 3, sleepFor(0))
		require.NoError(t, s.Start(ctx))
		synctest.Wait()
		require.NoError(t, s.Shutdown(ctx))
		require.Equal(t, dagq.Succeeded, fs[0].Status())
		for _, f := range fs[1:] {
			require.Equal(t, dagq.Killed, f.Status())
			require.Contains(t, f.Info().Reason, "shutdown")
		}
	})
}
