package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dagq/dagq/internal/stdouttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestQuickstart runs the example and checks what it prints.
func TestQuickstart(t *testing.T) {
	got := stdouttest.Capture(t, main)
	require.Contains(t, got, "built: binary(object of app.go + object of lib.go)")
	require.Contains(t, got, "tests passed: 150")
	require.Contains(t, got, "8 tasks: 8 succeeded, 0 failed, 0 killed")
	// Each task appears after what it depends on.
	for _, pair := range [][2]string{{"fetch app.go", "compile app.go"}, {"compile lib.go", "link"}, {"link", "test unit"}, {"test integration", "report"}} {
		require.Less(t, strings.Index(got, pair[0]), strings.Index(got, pair[1]), pair)
	}
}
