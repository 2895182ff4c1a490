package dagq_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

type ctxKey struct{}

// The attempt context behaves as a context.WithCancelCause of the run
// context, whether the task looks at it before or after it is cancelled.
func TestAttemptContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		q, _ := s.Queue("q", 2)
		runCtx := context.WithValue(context.Background(), ctxKey{}, "v")
		late := make(chan struct{})
		causes := make(chan error, 2)
		early := dagq.Submit(q, func(ctx context.Context) (int, error) {
			if ctx.Value(ctxKey{}) != "v" || ctx.Err() != nil {
				return 0, errors.New("bad context")
			}
			<-ctx.Done() // looked at before the cancellation
			causes <- context.Cause(ctx)
			return 0, nil
		})
		lazy := dagq.Submit(q, func(ctx context.Context) (int, error) {
			<-late // looks only after the cancellation
			if !errors.Is(ctx.Err(), context.Canceled) {
				return 0, errors.New("not cancelled")
			}
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return 0, nil
		})
		require.NoError(t, s.Start(runCtx))
		synctest.Wait()
		s.Cancel(early.ID(), "early")
		s.Cancel(lazy.ID(), "lazy")
		close(late)
		require.NoError(t, s.Shutdown(context.Background()))
		var got []string
		for range 2 {
			cause := <-causes
			require.ErrorIs(t, cause, dagq.ErrKilled)
			got = append(got, cause.Error())
		}
		require.ElementsMatch(t, []string{"dagq: task killed: cancelled: early", "dagq: task killed: cancelled: lazy"}, got)
		_, err := early.Get(context.Background())
		require.ErrorIs(t, err, dagq.ErrKilled)
		require.Equal(t, dagq.Killed, lazy.Status())
	})
}

func TestAttemptCauseNamesReason(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := dagq.New()
		causes := make(chan error, 1)
		f := dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) {
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return 0, ctx.Err()
		})
		require.NoError(t, s.Start(context.Background()))
		synctest.Wait()
		s.Cancel(f.ID(), "enough")
		cause := <-causes
		require.True(t, errors.Is(cause, dagq.ErrKilled))
		require.ErrorContains(t, cause, "cancelled: enough")
		require.NoError(t, s.Shutdown(context.Background()))
	})
}
