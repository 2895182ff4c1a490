package main

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestGPUExample runs the example with virtual time, so its timing, and
// hence its output, is exact.
func TestGPUExample(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out strings.Builder
		require.NoError(t, run(&out))
		require.Equal(t, `start  prepare data   on a CPU slot
start  train small-a  on GPUs [0]
start  train small-b  on GPUs [1]
start  train small-c  on GPUs [0]
start  train large    on GPUs [0 1]
start  evaluate       on a CPU slot
devices free at the end: [0 1]
`, out.String())
	})
}
