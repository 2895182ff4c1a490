package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPullExample runs the example's loop and checks each step's line.
func TestPullExample(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 9)
	for i, want := range map[int]string{
		0: "encode a red fox       -> latent(a red fox)        pending 8 (ready 3)",
		2: "decode a red fox       -> image(a red fox)         pending 6 (ready 2)",
		8: "decode two cats        -> image(two cats)          pending 0 (ready 0)",
	} {
		require.Equal(t, want, lines[i])
	}
}
