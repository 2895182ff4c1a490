package dagq_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// FIFO starts ready tasks in ID order, whatever order they became ready
// in, also when some were killed while queued.
func TestFIFOOrderWithOutOfOrderReadiness(t *testing.T) {
	c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"one": 1}})
	s := dagq.New(dagq.WithObserver(c))
	defer s.Shutdown(bg)
	q, _ := s.Queue("one", 1)
	gates := make([]*dagq.Future[int], 50)
	for i := range gates {
		gates[i] = dagq.Submit(q, value(i))
	}
	// Dependents become ready in a random order of their IDs.
	rng := rand.New(rand.NewPCG(3, 4))
	perm := rng.Perm(len(gates))
	var deps []*dagq.Future[int]
	for i := range gates {
		deps = append(deps, dagq.Then(q, gates[perm[i]], func(_ context.Context, v int) (int, error) { return v, nil }))
	}
	s.Cancel(deps[7].ID(), "not needed")
	var re *dagq.RunError
	require.ErrorAs(t, s.Run(bg), &re)
	require.Equal(t, 0, re.Failed)
	require.Equal(t, 1, re.Killed)
	c.Verify(t)
	started := c.Started()[len(gates):]
	require.True(t, slices.IsSorted(started), "dependents started in ID order: %v", started)
	require.NotContains(t, started, deps[7].ID())
}
