//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
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

// onTerminal runs dagq with args in a pseudo-terminal of the given size,
// with TERM=term, and returns everything it wrote there.
func onTerminal(t *testing.T, cols, rows uint16, term string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "TERM="+term, "NO_COLOR=", "GITHUB_ACTIONS=")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: rows, Cols: cols})
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
	return out.String()
}

// barLine matches a queue's line of the display.
var barLine = regexp.MustCompile(`^(net|build|test|gpu|default)\s+\d+/\d+`)

// TestLiveDisplayOnTerminal runs the example in pseudo-terminals of 40,
// 80 and 200 columns, and of unknown size, and replays what dagq wrote
// there on a screen of that width: a line per queue that never wraps,
// with a bar where there is room; the jobs' output above them, whole;
// then the summary. On a dumb terminal: plain lines, no control codes.
func TestLiveDisplayOnTerminal(t *testing.T) {
	for _, tc := range []struct{ cols, screen uint16 }{{40, 40}, {80, 80}, {200, 200}, {0, 80}} {
		t.Run(fmt.Sprint(tc.cols), func(t *testing.T) {
			t.Parallel()
			raw := onTerminal(t, tc.cols, 0, "xterm-256color", "run", examplePipeline(t))
			require.Contains(t, raw, "\x1b[", "bars redraw with cursor movements")
			sc := newScreen(int(tc.screen))
			sc.write(raw)
			require.Empty(t, sc.unknown, "only the sequences the display means to write")
			for _, w := range sc.wraps {
				require.NotRegexp(t, barLine, w, "a queue's line wrapped")
			}
			shown := sc.text()
			for _, queue := range []string{"net", "build", "test", "gpu", "default"} {
				require.Regexp(t, `(?m)^`+queue+`\s+\d+/\d+`, shown, "a line for queue %s", queue)
			}
			require.Regexp(t, `(?m)^test\s+5/5\b`, shown, "the test queue ends done")
			if tc.screen >= 80 {
				require.Regexp(t, `(?m)^test\s+5/5 \[=+\]`, shown, "with a full bar")
			}
			require.Regexp(t, `(?m)^\[train\] training on GPUs 0,1$`, shown, "the output above the bars, whole")
			require.Contains(t, raw, "13 jobs: 13 succeeded (0 cached), 0 failed, 0 killed or not run")
			require.NotContains(t, shown, "] start ", "no plain lines on a terminal")
		})
	}
	t.Run("dumb", func(t *testing.T) {
		t.Parallel()
		raw := onTerminal(t, 80, 24, "dumb", "run", examplePipeline(t))
		require.NotContains(t, raw, "\x1b", "TERM=dumb: no control codes")
		require.Contains(t, raw, "] start train on GPU 0,1")
	})
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
	sc := newScreen(120)
	sc.write(screen.String())
	require.Regexp(t, `(?m)^\^?C?dagq: interrupted: starting no more jobs, waiting for the 1 running \(interrupt again to kill them\)$`, sc.text(),
		"the message on a line of its own, not over the bars")
}
