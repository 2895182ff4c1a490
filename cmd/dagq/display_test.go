//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
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

// TestCtrlCOnTerminal types Ctrl-C into the terminal: the terminal sends
// SIGINT to dagq's process group only, so the running job (in a group of
// its own) goes on to the end, and the message shows above the bars.
func TestCtrlCOnTerminal(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "ready"), 0o644))
	file := writeFile(t, dir, "p.yaml", `jobs:
  - name: hold
    cmd: "echo > ready; while [ ! -f release ]; do sleep 0.02; done"
  - {name: after, deps: [hold], cmd: "true"}
`)
	cmd := exec.Command(binary, "run", file)
	cmd.Dir = dir
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	require.NoError(t, err)
	chunks := make(chan string)
	go func() {
		defer close(chunks)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			if n > 0 {
				chunks <- string(buf[:n])
			}
			if err != nil {
				return // EIO once dagq exits
			}
		}
	}()
	var screen strings.Builder
	awaitScreen := func(s string) {
		for !strings.Contains(screen.String(), s) {
			chunk, ok := <-chunks
			require.True(t, ok, "dagq exited before showing %q:\n%s", s, screen.String())
			screen.WriteString(chunk)
		}
	}

	// Opening the FIFO returns once the job has opened it: it runs.
	ready, err := os.ReadFile(filepath.Join(dir, "ready"))
	require.NoError(t, err)
	require.Equal(t, "\n", string(ready))
	_, err = tty.Write([]byte{3}) // Ctrl-C
	require.NoError(t, err)
	awaitScreen("dagq: interrupted: starting no more jobs, waiting for the 1 running")
	writeFile(t, dir, "release", "")
	awaitScreen("2 jobs: 1 succeeded")
	for chunk := range chunks {
		screen.WriteString(chunk)
	}
	err = cmd.Wait()
	ee, ok := errors.AsType[*exec.ExitError](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, exitInterrupted, ee.ExitCode())
	require.NoError(t, tty.Close())
	requireStatuses(t, strings.ReplaceAll(screen.String(), "\r", ""), "hold succeeded", "after killed")
}
