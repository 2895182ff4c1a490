package dagq_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestShortestFirstOrder(t *testing.T) {
	t.Parallel()
	s, q, o := oneSlot(t, dagq.ShortestFirst())
	for i, c := range []float64{5, 1, 3, 1, 0.5} {
		costly(q, fmt.Sprint("t", i), c)
	}
	runOK(t, s)
	require.Equal(t, "t4 t1 t3 t2 t0", strings.Join(o.get(), " "))
	require.Equal(t, "shortest-first", dagq.ShortestFirst().String())
}
