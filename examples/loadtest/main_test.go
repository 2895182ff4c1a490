package main

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dagq/dagq/internal/stdouttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestLoadtest runs a short load and checks that the report is printed
// (the figures depend on the machine, so only their presence is checked).
func TestLoadtest(t *testing.T) {
	args, flags := os.Args, flag.CommandLine
	defer func() { os.Args, flag.CommandLine = args, flags }()
	os.Args = []string{"loadtest", "-rate", "200", "-duration", "300ms"}
	flag.CommandLine = flag.NewFlagSet("loadtest", flag.ContinueOnError) // main defines its flags again
	out := stdouttest.Capture(t, main)
	for _, want := range []string{"req/s", "p50", "p99", "queue delay"} {
		require.Contains(t, out, want)
	}
}
