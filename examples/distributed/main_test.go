package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestExample builds the example and runs it: a submitter and two worker
// processes on the database of DAGQ_TEST_DATABASE_URL.
func TestExample(t *testing.T) {
	if os.Getenv("DAGQ_TEST_DATABASE_URL") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DAGQ_TEST_DATABASE_URL is not set: run the tests through scripts/postgres.sh")
		}
		t.Skip("SKIPPED: no PostgreSQL: DAGQ_TEST_DATABASE_URL is not set (run the tests through scripts/postgres.sh)")
	}
	exe := filepath.Join(t.TempDir(), "distributed")
	out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.CommandContext(t.Context(), exe).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, "the   5\nfox   3\ndog   3\nquick 3\ncat   2\n", string(out))
}
