package dagq_test

import (
	"context"
	"errors"
	"iter"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// counter is an unbounded source of 0, 1, 2, ... that records how many
// requests were pulled.
type counter struct{ pulled int }

func (c *counter) seq() iter.Seq[int] {
	return func(yield func(int) bool) {
		for {
			c.pulled++
			if !yield(c.pulled - 1) {
				return
			}
		}
	}
}

func double(ctx context.Context, r int) (int, error) {
	time.Sleep(time.Duration(1+r%4) * 10 * time.Millisecond)
	return 2 * r, nil
}

// newFeedScheduler starts a scheduler with a queue made with opts; the
// counters are checked at every event until the test ends.
func newFeedScheduler(t *testing.T, size int, opts ...dagq.QueueOption) (*dagq.Scheduler, *dagq.Queue) {
	t.Helper()
	cc := dagqtest.NewChecker(dagqtest.Limits{})
	s := dagq.New(dagq.WithObserver(cc))
	q, err := s.Queue("load", size, opts...)
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { require.Empty(t, cc.Violations()) })
	return s, q
}

func TestFeedPullsLazilyWithBoundedOutstandingWork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q := newFeedScheduler(t, 4, dagq.WithStrategy(dagq.Constant(100, false)), dagq.MaxTasks(200))
		src := &counter{}
		start := time.Now()
		seen, maxAhead := map[int]bool{}, 0
		for res := range dagq.Feed(ctx, q, src.seq(), double) {
			require.NoError(t, res.Err)
			require.Equal(t, 2*res.Request, res.Value)
			require.False(t, seen[res.Request])
			seen[res.Request] = true
			maxAhead = max(maxAhead, src.pulled-len(seen))
			info := res.Info
			require.Equal(t, dagq.Succeeded, info.Status)
			require.Equal(t, time.Duration(res.Request)*10*time.Millisecond, info.Targeted.Sub(start))
			for _, at := range []time.Time{info.Submitted, info.Ready, info.Targeted, info.Dispatched, info.Started, info.Finished} {
				require.False(t, at.IsZero())
			}
		}
		require.Len(t, seen, 200)
		require.Equal(t, 200, src.pulled, "no request pulled past MaxTasks")
		require.LessOrEqual(t, maxAhead, 4+8, "outstanding work stays within the queue's concurrency plus the buffer")
		require.Equal(t, 0, s.Stats().Pending())
		require.NoError(t, s.Shutdown(ctx))
	})
}

func TestFeedPullsAtTheStrategysPace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s, q := newFeedScheduler(t, 1000, dagq.WithStrategy(dagq.Constant(10, false)))
		src := &counter{}
		start := time.Now()
		for res := range dagq.Feed(ctx, q, src.seq(), double) {
			// After k releases at 10/s, at most 8 more requests wait.
			released := int(time.Since(start)/(100*time.Millisecond)) + 1
			require.LessOrEqual(t, src.pulled, released+8)
			if res.Request == 50 {
				cancel()
			}
		}
		require.Equal(t, 0, s.Stats().Pending(), "cancelled tasks were killed")
		require.NoError(t, s.Shutdown(context.Background()))
	})
}

func TestFeedConsumerStopCancelsOutstandingTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q := newFeedScheduler(t, 3, dagq.WithStrategy(dagq.Throughput(0)))
		src := &counter{}
		n := 0
		for range dagq.Feed(ctx, q, src.seq(), double) {
			if n++; n == 5 {
				break
			}
		}
		st := s.Stats()
		require.Equal(t, 0, st.Pending())
		require.Equal(t, src.pulled, st.Submitted)
		require.GreaterOrEqual(t, st.Succeeded, 5, "tasks that finished as the consumer stopped")
		require.Positive(t, st.Killed)
		require.Equal(t, st.Submitted, st.Succeeded+st.Killed)
		require.NoError(t, s.Shutdown(ctx))
	})
}

func TestFeedEndsWithTheSourceAndWithTheQueueRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q := newFeedScheduler(t, 2, dagq.WithStrategy(dagq.Synchronous()))
		var got []int
		for res := range dagq.Feed(ctx, q, func(yield func(int) bool) {
			for i := range 5 {
				if !yield(i) {
					return
				}
			}
		}, double) {
			got = append(got, res.Value)
		}
		require.Equal(t, []int{0, 2, 4, 6, 8}, got, "synchronous keeps the order")

		// A queue whose run ends by MaxDuration ends the feed; the tasks
		// it killed are yielded with their errors.
		slow, err := s.Queue("slow", 8, dagq.WithStrategy(dagq.Constant(10, false)), dagq.MaxDuration(time.Second))
		require.NoError(t, err)
		var ok, killed int
		for res := range dagq.Feed(ctx, slow, (&counter{}).seq(), double) {
			switch {
			case res.Err == nil:
				ok++
			case errors.Is(res.Err, dagq.ErrKilled):
				killed++
				require.Contains(t, res.Info.Reason, "MaxDuration(1s) reached")
			default:
				t.Fatal(res.Err)
			}
		}
		require.Equal(t, 10, ok)
		require.Positive(t, killed)
		require.NoError(t, s.Shutdown(ctx))

		// After Shutdown, a feed pulls nothing.
		src := &counter{}
		for range dagq.Feed(ctx, q, src.seq(), double) {
			t.Fatal("a result after Shutdown")
		}
		require.Zero(t, src.pulled)

		// A nil queue is reported once.
		var errs []error
		for res := range dagq.Feed(ctx, nil, src.seq(), double) {
			errs = append(errs, res.Err)
		}
		require.Len(t, errs, 1)
		var se *dagq.SubmitError
		require.ErrorAs(t, errs[0], &se)
		require.Contains(t, se.Reason, "nil queue")
	})
}

func TestFeedStopsWhenContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		defer cancel()
		s, q := newFeedScheduler(t, 2, dagq.WithStrategy(dagq.Concurrent(2)))
		n := 0
		for range dagq.Feed(ctx, q, (&counter{}).seq(), func(ctx context.Context, r int) (int, error) {
			time.Sleep(100 * time.Millisecond)
			return r, nil
		}) {
			n++
		}
		require.Equal(t, 4, n)
		st := s.Stats()
		require.Equal(t, 0, st.Pending())
		require.Equal(t, 4, st.Succeeded)
		require.NoError(t, s.Shutdown(context.Background()))
	})
}

func TestFeedEndsAtMaxErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q := newFeedScheduler(t, 4, dagq.WithStrategy(dagq.Constant(10, false)), dagq.MaxErrors(3))
		var failed, killed, ok int
		for res := range dagq.Feed(ctx, q, (&counter{}).seq(), func(ctx context.Context, r int) (int, error) {
			if r%5 == 4 {
				return 0, errBoom
			}
			select { // long tasks, cancelled when the queue stops
			case <-time.After(time.Duration(r%5)*100*time.Millisecond + 50*time.Millisecond):
				return r, nil
			case <-ctx.Done():
				return 0, context.Cause(ctx)
			}
		}) {
			switch {
			case errors.Is(res.Err, errBoom):
				failed++
			case errors.Is(res.Err, dagq.ErrKilled):
				killed++
				require.Contains(t, res.Info.Reason, "MaxErrors(3) reached")
			default:
				require.NoError(t, res.Err)
				ok++
			}
		}
		require.Equal(t, 3, failed)
		require.Equal(t, 10, ok)
		require.Positive(t, killed)
		require.NoError(t, s.Shutdown(ctx))
	})
}

func TestFeedLagShowsAsQueueDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		// 10/s into a queue that completes 2/s: the feed falls behind.
		s, q := newFeedScheduler(t, 1, dagq.WithStrategy(dagq.Constant(10, false)), dagq.MaxTasks(30))
		start := time.Now()
		for res := range dagq.Feed(ctx, q, (&counter{}).seq(), func(ctx context.Context, r int) (int, error) {
			time.Sleep(500 * time.Millisecond)
			return r, nil
		}) {
			info := res.Info
			require.Equal(t, time.Duration(res.Request)*100*time.Millisecond, info.Targeted.Sub(start), "the release the request was meant for")
			require.Equal(t, time.Duration(res.Request)*500*time.Millisecond, info.Dispatched.Sub(start))
			require.Equal(t, time.Duration(res.Request)*400*time.Millisecond, info.Dispatched.Sub(info.Targeted))
		}
		require.NoError(t, s.Shutdown(ctx))
	})
}
