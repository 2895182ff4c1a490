//go:build unix

package main

import (
	"bytes"
	"io"
	"os/exec"
	"regexp"
	"testing"

	"github.com/creack/pty"
	"github.com/stretchr/testify/require"
)

// TestLiveDisplayOnTerminal runs the example in a pseudo-terminal: dagq
// draws progress bars (ANSI cursor movements, a bar per queue with its
// counts) instead of plain lines, then prints the summary.
func TestLiveDisplayOnTerminal(t *testing.T) {
	cmd := exec.Command(binary, "run", examplePipeline(t))
	cmd.Dir = t.TempDir()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	require.NoError(t, err)
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(&out, tty) // ends with EIO once dagq exits
	}()
	require.NoError(t, cmd.Wait())
	<-copied
	require.NoError(t, tty.Close())

	screen := out.String()
	require.Contains(t, screen, "\x1b[", "bars redraw with cursor movements")
	for _, queue := range []string{"net", "build", "test", "gpu", "default"} {
		require.Regexp(t, regexp.MustCompile(`(?m)^`+queue+`\s+\d+/\d+`), screen, "a bar for queue %s", queue)
	}
	require.Regexp(t, `(?m)^test\s+5/5`, screen, "the test bar ends full")
	require.NotContains(t, screen, "] start ", "no plain lines on a terminal")
	require.Contains(t, screen, "13 jobs: 13 succeeded (0 cached), 0 failed, 0 killed or not run")
}
