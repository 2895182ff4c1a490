package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(workerEnv); spec != "" {
		os.Exit(workerMain(spec))
	}
	goleak.VerifyTestMain(m)
}

// TestRiverbench runs a small comparison and checks that it reports every
// figure, with the ratios the figures give.
func TestRiverbench(t *testing.T) {
	db := os.Getenv("DAGQ_TEST_DATABASE_URL")
	if db == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DAGQ_TEST_DATABASE_URL is not set: run the tests through scripts/postgres.sh")
		}
		t.Skip("SKIPPED: no PostgreSQL (run the tests through scripts/postgres.sh)")
	}
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), config{db: db, workers: 2, slots: 20, tasks: 400, chain: 10, width: 20}, &out))
	t.Log("\n" + out.String())
	num := `([0-9.]+)`
	for _, row := range []string{"independent, tasks/s", "independent, River with dagq's job arguments, tasks/s", "independent, the same without a unique key, tasks/s", "chain, ms per hop"} {
		m := regexp.MustCompile(regexp.QuoteMeta(row) + `\s+` + num + `\s+` + num + `\s+` + num).FindStringSubmatch(out.String())
		require.NotNil(t, m, row)
		raw, _ := strconv.ParseFloat(m[1], 64)
		dq, _ := strconv.ParseFloat(m[2], 64)
		ratio, _ := strconv.ParseFloat(m[3], 64)
		require.Positive(t, raw, row)
		require.Positive(t, dq, row)
		require.InDelta(t, dq/raw, ratio, 0.01+dq/raw*0.02, row)
	}
	require.Regexp(t, `layered \(width 20\), tasks/s\s+[0-9.]+\s+[0-9.]+`, out.String())
}

func TestRiverbenchRefusesBadSettings(t *testing.T) {
	require.ErrorContains(t, run(t.Context(), config{}, &bytes.Buffer{}), "no database")
	require.ErrorContains(t, run(t.Context(), config{db: "postgres://x", workers: 0, slots: 1, tasks: 1, chain: 1, width: 1}, &bytes.Buffer{}), "must be at least 1")
}
