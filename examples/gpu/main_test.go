package main

import (
	"io"
	"os"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestGPUExample runs the example with virtual time, so its timing, and
// hence its output, is exact.
func TestGPUExample(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	synctest.Test(t, func(t *testing.T) { main() })
	os.Stdout = stdout
	require.NoError(t, w.Close())
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, `start  prepare data   on a CPU slot
start  train small-a  on GPUs [0]
start  train small-b  on GPUs [1]
start  train small-c  on GPUs [0]
start  train large    on GPUs [0 1]
start  evaluate       on a CPU slot
devices free at the end: [0 1]
`, string(out))
}
