package dagq_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// Submit and Then take their tasks from per-type arrays: far less than
// one allocation per task, and each future its own, with its own value,
// whatever the types mixed on a queue.
func TestSubmitAllocatesLessThanATask(t *testing.T) {
	const n = 5000
	perTask := testing.AllocsPerRun(3, func() {
		s := dagq.New()
		q := s.DefaultQueue()
		f := dagq.Submit(q, empty)
		for range n - 1 {
			f = dagq.Then(q, f, func(_ context.Context, v int) (int, error) { return v, nil })
		}
		require.NoError(t, s.Run(context.Background()))
		_ = s.Shutdown(context.Background())
	}) / n
	require.Less(t, perTask, 0.2, "allocations per task")

	s := dagq.New()
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	ints := make([]*dagq.Future[int], 300)
	strs := make([]*dagq.Future[string], 300)
	for i := range ints {
		ints[i] = dagq.Submit(q, func(context.Context) (int, error) { return i, nil })
		strs[i] = dagq.Then(q, ints[i], func(_ context.Context, v int) (string, error) { return string(rune('a' + v%26)), nil })
	}
	require.NoError(t, s.Run(t.Context()))
	for i := range ints {
		v, err := ints[i].Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, i, v)
		sv, err := strs[i].Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, string(rune('a'+i%26)), sv)
	}
}
