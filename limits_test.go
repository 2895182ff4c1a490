package dagq_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

func TestMaxTasksKillsWaitingTasks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		cc := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithObserver(cc))
		q, err := s.Queue("load", 2, dagq.MaxTasks(3))
		require.NoError(t, err)
		other, err := s.Queue("other", 1)
		require.NoError(t, err)
		fs := submitN(q, 5, sleepFor(time.Second))
		blocked := dagq.Submit(q, sleepFor(0), dagq.After(dagq.Submit(other, sleepFor(time.Minute))))
		dependent := dagq.Then(other, fs[4], func(context.Context, int) (int, error) { return 0, nil })
		require.NoError(t, s.Start(ctx))
		synctest.Wait()

		// Two run, the third is queued: it is the last the queue starts.
		require.Equal(t, dagq.Queued, fs[2].Status())
		require.Equal(t, dagq.Blocked, blocked.Status())
		time.Sleep(time.Second)
		synctest.Wait()
		require.Equal(t, dagq.Running, fs[2].Status())
		for _, f := range []*dagq.Future[int]{fs[3], fs[4], blocked} {
			info := f.Info()
			require.Equal(t, dagq.Killed, info.Status)
			require.Regexp(t, `^queue "load": MaxTasks\(3\) reached: killed while (queued|blocked)$`, info.Reason)
			_, err := f.Get(ctx)
			require.ErrorIs(t, err, dagq.ErrKilled)
		}
		require.Contains(t, dependent.Info().Reason, "MaxTasks(3) reached")

		late := dagq.Submit(q, sleepFor(0))
		require.Equal(t, `queue "load": MaxTasks(3) reached: killed at submission`, late.Info().Reason)
		require.Error(t, s.Wait(ctx))
		st := s.Stats().Queues["load"]
		require.Equal(t, 3, st.Succeeded)
		require.Equal(t, 4, st.Killed)
		require.NoError(t, s.Shutdown(ctx))
		require.Empty(t, cc.Violations())
	})
}

func TestMaxDurationEndsTheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := dagq.New()
		q, err := s.Queue("load", 100, dagq.WithStrategy(dagq.Constant(10, false)), dagq.MaxDuration(950*time.Millisecond))
		require.NoError(t, err)
		fs := submitN(q, 50, sleepFor(500*time.Millisecond))
		start := time.Now()
		require.Error(t, s.Run(ctx))
		for i, f := range fs {
			info := f.Info()
			if i < 10 {
				require.Equal(t, dagq.Succeeded, info.Status, "task %d was released before the limit and finishes", i)
				continue
			}
			require.Equal(t, dagq.Killed, info.Status)
			require.Equal(t, `queue "load": MaxDuration(950ms) reached: killed while queued`, info.Reason)
			require.Equal(t, 950*time.Millisecond, info.Finished.Sub(start))
		}
		require.Equal(t, 1400*time.Millisecond, time.Since(start))
		require.NoError(t, s.Shutdown(ctx))
	})
}

var errBoom = errors.New("boom")

func TestMaxErrorsStopsTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		cc := dagqtest.NewChecker(dagqtest.Limits{})
		s := dagq.New(dagq.WithObserver(cc))
		q, err := s.Queue("load", 3, dagq.MaxErrors(2))
		require.NoError(t, err)
		fail := func(d time.Duration) func(context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				time.Sleep(d)
				return 0, errBoom
			}
		}
		a := dagq.Submit(q, fail(time.Second))
		b := dagq.Submit(q, fail(2*time.Second))
		long := dagq.Submit(q, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, context.Cause(ctx)
		})
		waiting := submitN(q, 3, sleepFor(10*time.Second)) // the first takes a's slot
		require.Error(t, s.Run(ctx))
		require.Equal(t, dagq.Failed, a.Status())
		require.Equal(t, dagq.Failed, b.Status())
		info := long.Info()
		require.Equal(t, dagq.Killed, info.Status)
		require.Equal(t, `queue "load": MaxErrors(2) reached: killed while running`, info.Reason)
		require.Equal(t, 2*time.Second, info.Finished.Sub(info.Started))
		require.Equal(t, `queue "load": MaxErrors(2) reached: killed while running`, waiting[0].Info().Reason)
		for _, f := range waiting[1:] {
			require.Equal(t, `queue "load": MaxErrors(2) reached: killed while queued`, f.Info().Reason)
		}
		require.NoError(t, s.Shutdown(ctx))
		require.Empty(t, cc.Violations())
	})
}

func TestRetriesAreNotNewReleases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := dagq.New()
		q, err := s.Queue("load", 4, dagq.WithStrategy(dagq.Constant(1, false)), dagq.MaxTasks(2))
		require.NoError(t, err)
		tries := 0
		flaky := dagq.Submit(q, func(context.Context) (int, error) {
			if tries++; tries < 3 {
				return 0, errBoom
			}
			return 7, nil
		}, dagq.Retry(2, 100*time.Millisecond))
		second := dagq.Submit(q, sleepFor(0))
		start := time.Now()
		require.NoError(t, s.Run(ctx))
		v, err := flaky.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 7, v)
		info := flaky.Info()
		require.Equal(t, 3, info.Attempts)
		require.Equal(t, time.Duration(0), info.Targeted.Sub(start))
		require.Equal(t, time.Second, second.Info().Targeted.Sub(start), "the retries took no release")
		require.NoError(t, s.Shutdown(ctx))
	})
}
