package main

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dagq/dagq/internal/stdouttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSmqsched runs the example and checks what it prints.
func TestSmqsched(t *testing.T) {
	out := stdouttest.Capture(t, main)
	require.Equal(t, "latest-first: first C (C9999) after 3 tasks, last C (C0) after 10200 of 10200\n"+
		"fifo:        first C (C0) after 201 tasks, last C (C9999) after 10200 of 10200\n", out)
}
