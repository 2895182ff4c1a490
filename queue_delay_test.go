package dagq_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// TestQueueDelay checks, in virtual time, that Dispatched − Targeted
// measures how late the scheduler was against the strategy's intent: zero
// when tasks go out as slots free (whichever limit the slots belong to:
// the queue's size, the strategy's concurrency, the global parallelism),
// and, under a rate strategy the queue cannot keep up with, exactly how
// far behind the schedule each task started. It is never negative.
func TestQueueDelay(t *testing.T) {
	for _, tc := range []struct {
		name     string
		size     int
		opts     []dagq.QueueOption
		sched    []dagq.Option
		tasks    int
		run      time.Duration
		wantLate func(k int) time.Duration // of the k-th task started
	}{
		{"concurrent@16 on size 16", 16, []dagq.QueueOption{dagq.WithStrategy(dagq.Concurrent(16))}, nil, 64, time.Second, nil},
		{"synchronous on size 1", 1, []dagq.QueueOption{dagq.WithStrategy(dagq.Synchronous())}, nil, 10, time.Second, nil},
		{"concurrent@1 on size 1", 1, []dagq.QueueOption{dagq.WithStrategy(dagq.Concurrent(1))}, nil, 10, time.Second, nil},
		{"concurrent@2 on size 8", 8, []dagq.QueueOption{dagq.WithStrategy(dagq.Concurrent(2))}, nil, 20, time.Second, nil},
		{"throughput@3 on size 8", 8, []dagq.QueueOption{dagq.WithStrategy(dagq.Throughput(3))}, nil, 20, time.Second, nil},
		{"no strategy, size 2", 2, nil, nil, 10, time.Second, nil},
		{"no strategy, parallelism 1", 4, nil, []dagq.Option{dagq.WithParallelism(1)}, 10, time.Second, nil},
		{"constant@1/s, tasks of 2 s, size 1", 1, []dagq.QueueOption{dagq.WithStrategy(dagq.Constant(1, false))}, nil, 8, 2 * time.Second,
			func(k int) time.Duration { return time.Duration(k) * time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := dagqtest.NewChecker(dagqtest.Limits{})
				s := dagq.New(append(tc.sched, dagq.WithObserver(c))...)
				q, err := s.Queue("q", tc.size, tc.opts...)
				require.NoError(t, err)
				fs := make([]*dagq.Future[int], tc.tasks)
				for i := range fs {
					fs[i] = dagq.Submit(q, func(context.Context) (int, error) {
						time.Sleep(tc.run)
						return 0, nil
					})
				}
				require.NoError(t, s.Run(bg))
				for k, f := range fs {
					info := f.Info()
					late := info.Dispatched.Sub(info.Targeted)
					want := time.Duration(0)
					if tc.wantLate != nil {
						want = tc.wantLate(k)
					}
					require.Equal(t, want, late, fmt.Sprintf("task %d: targeted %v, dispatched %v", k, info.Targeted, info.Dispatched))
				}
				require.NoError(t, s.Shutdown(bg))
				c.Verify(t)
			})
		})
	}
}
