package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestMinima runs the example on the default 100,000 points and checks
// what it reports.
func TestMinima(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 100_000, false, 1))
	got := out.String()
	require.Equal(t, 10, strings.Count(got, "Found minimum at "))
	require.Contains(t, got, "33404 minima among 100000 points")
	require.Contains(t, got, "100001 tasks (one stream, one per point): 100001 succeeded")
}

// TestMinimaAll prints every minimum, as smqsched does.
func TestMinimaAll(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 20, true, 1))
	got := out.String()
	for _, i := range []string{"4", "10", "12", "15", "17"} {
		require.Contains(t, got, "Found minimum at "+i+" ")
	}
	require.Contains(t, got, "5 minima among 20 points")
}
