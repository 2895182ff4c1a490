package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDemo(t *testing.T) {
	var out strings.Builder
	require.NoError(t, demo(t.Context(), filepath.Join(t.TempDir(), "results.db"), &out))
	require.Equal(t, `first run, interrupted while parse-b runs:
  fetch-a  ran
  fetch-b  ran
  parse-a  ran
  parse-b  did not finish
  merge    did not finish
second run:
  fetch-a  skipped: succeeded in an earlier run
  fetch-b  skipped: succeeded in an earlier run
  parse-a  skipped: succeeded in an earlier run
  parse-b  ran
  merge    ran
  result: parsed rows of a + parsed rows of b
`, out.String())
}

// TestThirdRun: once everything succeeded, a run skips every task.
func TestThirdRun(t *testing.T) {
	var out strings.Builder
	path := filepath.Join(t.TempDir(), "results.db")
	require.NoError(t, demo(t.Context(), path, &out))
	out.Reset()
	require.NoError(t, run(t.Context(), path, 0, nil, &out))
	require.Equal(t, 5, strings.Count(out.String(), "skipped"), out.String())
	require.Contains(t, out.String(), "result: parsed rows of a + parsed rows of b")
}
