package dagq_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func costly(q *dagq.Queue, name string, cost float64, deps ...dagq.Dep) *dagq.Future[int] {
	return dagq.Submit(q, returnZero, dagq.Name(name), dagq.Cost(cost), dagq.After(deps...))
}

func TestCriticalPathOrder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy dagq.Policy
		want   string
	}{
		{dagq.CriticalPath(), "a b c e d"},
		{dagq.ShortestFirst(), "d a c b e"},
		{dagq.FIFO(), "a b c d e"},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			t.Parallel()
			s, q, o := oneSlot(t, tc.policy)
			a := costly(q, "a", 1)
			b := costly(q, "b", 5, a) // path(a) = 1 + 5 + 1
			costly(q, "c", 3)
			costly(q, "d", 0.5)
			costly(q, "e", 1, b)
			runOK(t, s)
			require.Equal(t, tc.want, strings.Join(o.get(), " "))
		})
	}
}

// TestCriticalPathWhileRunning: paths grow as dependents are added to a
// running graph.
func TestCriticalPathWhileRunning(t *testing.T) {
	t.Parallel()
	s, q, o := oneSlot(t, dagq.CriticalPath())
	release := holdSlot(t, s, q)
	x := costly(q, "x", 1)
	costly(q, "y", 4)
	m := costly(q, "m", 1, x)
	costly(q, "z", 3, m) // path(x) = 5 > path(y) = 4
	release()
	runOK(t, s)
	require.Equal(t, "gate x y m z", strings.Join(o.get(), " "))
}
