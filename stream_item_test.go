package dagq_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"
	"weak"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestStreamFailsMidway(t *testing.T) {
	ctx := context.Background()
	s, q, _ := newStreamScheduler(t, 2)
	boom := errors.New("sensor unplugged")
	st := dagq.SubmitStream(q, emitN(3, boom), dagq.Name("scan"))
	var deps []*dagq.Future[int]
	for i := range 6 {
		deps = append(deps, dagq.Then(q, st.At(i), func(_ context.Context, v int) (int, error) { return v * 10, nil }))
	}
	err := s.Run(ctx)
	require.ErrorIs(t, err, boom)

	for i, d := range deps {
		v, err := d.Get(ctx)
		if i < 3 {
			require.NoError(t, err)
			require.Equal(t, i*10, v)
			continue
		}
		require.ErrorIs(t, err, dagq.ErrKilled)
		require.Equal(t, dagq.Killed, d.Status())
		require.Equal(t, `stream "scan" (id 1) failed after 3 items: sensor unplugged`, d.Info().Reason)
	}
	_, err = st.At(4).Get(ctx)
	require.ErrorIs(t, err, dagq.ErrKilled)
	require.ErrorContains(t, err, `stream "scan" (id 1) failed after 3 items: sensor unplugged`)
	v, err := st.At(2).Get(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, v)

	items, err := st.All(ctx)
	require.Equal(t, []int{0, 1, 2}, items)
	require.ErrorIs(t, err, boom)
	require.Equal(t, dagq.Failed, st.Status())
	stats := s.Stats()
	require.Equal(t, dagq.Counts{Submitted: 7, Succeeded: 3, Failed: 1, Killed: 3}, stats.Counts)
}

func TestStreamTooFewItems(t *testing.T) {
	ctx := context.Background()
	s, q, _ := newStreamScheduler(t, 2)
	st := dagq.SubmitStream(q, emitN(2, nil), dagq.Name("short"))
	late := st.At(5)
	dep := dagq.Then(q, late, func(_ context.Context, v int) (int, error) { return v, nil })
	err := s.Run(ctx)
	require.ErrorIs(t, err, dagq.ErrKilled)

	require.Equal(t, dagq.Succeeded, st.Status())
	_, err = late.Get(ctx)
	require.ErrorIs(t, err, dagq.ErrNoItem)
	require.Equal(t, dagq.Failed, late.Status())
	require.Equal(t, dagq.Killed, dep.Status())
	require.Equal(t, `dependency "short[5]" (id 1) failed: no such stream item: stream "short" (id 1) ended after 2 items`,
		dep.Info().Reason)

	_, err = st.At(7).Get(ctx)
	require.ErrorIs(t, err, dagq.ErrNoItem)
	_, err = st.At(-1).Get(ctx)
	require.ErrorIs(t, err, dagq.ErrNoItem)
	require.ErrorContains(t, err, "index -1")
}

func TestStreamAtAfterFinish(t *testing.T) {
	ctx := context.Background()
	s, q, rec := newStreamScheduler(t, 2)
	st := dagq.SubmitStream(q, emitN(5, nil))
	require.NoError(t, s.Run(ctx))
	require.Equal(t, 5, st.Len())

	v, err := st.At(3).Get(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, v)
	info := st.At(3).Info()
	require.Equal(t, st.ID(), info.ID)
	require.Equal(t, "stream[3]", info.Name)
	require.Equal(t, dagq.Succeeded, info.Status)
	require.Equal(t, []dagq.TaskID{st.ID()}, info.Deps)

	late := dagq.Then(q, st.At(4), func(_ context.Context, v int) (int, error) { return v + 1, nil })
	require.NoError(t, s.Wait(ctx))
	v, err = late.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, 5, v)

	items, err := st.All(ctx)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3, 4}, items)
	require.Equal(t, []int{0, 1, 2, 3, 4}, rec.items(st.ID()))
	_, err = st.At(5).Get(ctx)
	require.ErrorIs(t, err, dagq.ErrNoItem)
}

func TestStreamKilledBeforeRunning(t *testing.T) {
	ctx := context.Background()
	s, q, _ := newStreamScheduler(t, 2)
	bad := dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("no input") }, dagq.Name("input"))
	st := dagq.SubmitStream(q, emitN(3, nil), dagq.After(bad), dagq.Name("scan"))
	item := st.At(0)
	dep := dagq.Then(q, item, func(_ context.Context, v int) (int, error) { return v, nil })
	require.Error(t, s.Run(ctx))
	require.Equal(t, dagq.Killed, st.Status())
	want := `stream "scan" (id 2) killed after 0 items: dependency "input" (id 1) failed: no input`
	require.Equal(t, want, item.Info().Reason)
	require.Equal(t, want, dep.Info().Reason)
	require.Equal(t, dagq.Counts{Submitted: 3, Failed: 1, Killed: 2}, s.Stats().Counts)
}

func TestStreamShutdownSettlesItems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := dagq.New()
		q, err := s.Queue("q", 2)
		require.NoError(t, err)
		st := dagq.SubmitStream(q, func(ctx context.Context, emit func(int) error) error {
			if err := emit(0); err != nil {
				return err
			}
			<-ctx.Done()
			return ctx.Err()
		}, dagq.Name("feed"))
		item := st.At(3)
		dep := dagq.Then(q, item, func(_ context.Context, v int) (int, error) { return v, nil })
		require.NoError(t, s.Start(ctx))
		synctest.Wait()
		sctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		require.ErrorIs(t, s.Shutdown(sctx), context.DeadlineExceeded)
		<-item.Done()
		require.Equal(t, dagq.Killed, item.Status())
		require.Equal(t, `stream "feed" (id 1) killed after 1 items: shutdown: killed while running`, item.Info().Reason)
		require.Equal(t, "shutdown: killed while blocked", dep.Info().Reason)
	})
}

func TestStreamAtIsShared(t *testing.T) {
	ctx := context.Background()
	s, q, _ := newStreamScheduler(t, 1)
	release := make(chan struct{})
	st := dagq.SubmitStream(q, func(_ context.Context, emit func(int) error) error {
		<-release
		return emit(7)
	})
	require.Same(t, st.At(0), st.At(0))
	sum := dagq.Join(q, []*dagq.Future[int]{st.At(0), st.At(0)}, func(_ context.Context, vs []int) (int, error) {
		return vs[0] + vs[1], nil
	})
	close(release)
	require.NoError(t, s.Run(ctx))
	v, err := sum.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, 14, v)
}

func TestStreamItemAndSlowDependency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, q, _ := newStreamScheduler(t, 3)
		st := dagq.SubmitStream(q, emitN(2, nil))
		slow := dagq.Submit(q, func(context.Context) (int, error) {
			time.Sleep(time.Minute)
			return 100, nil
		})
		sum := dagq.Then2(q, st.At(1), slow, func(_ context.Context, a, b int) (int, error) { return a + b, nil })
		require.NoError(t, s.Run(ctx))
		v, err := sum.Get(ctx)
		require.NoError(t, err)
		require.Equal(t, 101, v)
		require.False(t, sum.Info().Started.Before(slow.Info().Finished), "waits for its other dependency")
		require.True(t, st.Info().Finished.Before(slow.Info().Finished))
	})
}

func TestStreamAllDoneAfterMissingItem(t *testing.T) {
	ctx := context.Background()
	s, q, _ := newStreamScheduler(t, 2)
	st := dagq.SubmitStream(q, emitN(1, errors.New("cut short")))
	cleanup := dagq.Submit(q, func(context.Context) (string, error) { return "cleaned", nil },
		dagq.After(st.At(9)), dagq.Trigger(dagq.AllDone))
	require.Error(t, s.Run(ctx))
	v, err := cleanup.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, "cleaned", v)
}

func TestStreamItemsFreedWithStream(t *testing.T) {
	ctx := context.Background()
	s, q, _ := newStreamScheduler(t, 2)
	st := dagq.SubmitStream(q, emitN(1000, nil))
	item := st.At(999)
	require.NoError(t, s.Run(ctx))
	ref := weak.Make(st)
	st = nil
	for range 5 {
		runtime.GC()
	}
	require.Nil(t, ref.Value(), "the scheduler keeps no finished stream")
	v, err := item.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, 999, v)
	_, ok := s.Task(item.ID())
	require.True(t, ok, "the stream task stays known")
}
