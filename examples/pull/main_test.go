package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPullExample runs the example's loop and checks each step's line.
func TestPullExample(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = f
	main()
	os.Stdout = stdout
	require.NoError(t, f.Close())
	out, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 9)
	require.Contains(t, lines[0], "encode a red fox       -> latent(a red fox)")
	require.Contains(t, lines[2], "decode a red fox       -> image(a red fox)")
	require.Contains(t, lines[2], "pending 6")
	require.Contains(t, lines[8], "decode two cats        -> image(two cats)")
	require.Contains(t, lines[8], "pending 0 (ready 0)")
}
