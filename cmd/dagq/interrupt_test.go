//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// holdPipeline has a job that runs until the file "release" exists.
const holdPipeline = `jobs:
  - {name: first, cmd: "echo first"}
  - name: hold
    deps: [first]
    cmd: "echo $$ > hold.pid; while [ ! -f release ]; do sleep 0.02; done; echo released"
  - {name: after, deps: [hold], cmd: "touch after.ran"}
`

// running is the binary running in the background, its stderr read line
// by line.
type running struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	lines  chan string
	seen   []string
}

func start(t *testing.T, dir string, args ...string) *running {
	t.Helper()
	r := &running{cmd: exec.Command(binary, args...), lines: make(chan string)}
	r.cmd.Dir = dir
	r.cmd.Stdout = &r.stdout
	pipe, err := r.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, r.cmd.Start())
	go func() {
		defer close(r.lines)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
	}()
	return r
}

// await reads stderr until a line contains s. The timer only guards
// against a hung test.
func (r *running) await(t *testing.T, s string) {
	t.Helper()
	guard := time.NewTimer(time.Minute)
	defer guard.Stop()
	for {
		select {
		case line, ok := <-r.lines:
			require.True(t, ok, "dagq exited before printing %q; it printed:\n%s", s, strings.Join(r.seen, "\n"))
			r.seen = append(r.seen, line)
			if strings.Contains(line, s) {
				return
			}
		case <-guard.C:
			require.FailNow(t, "timed out waiting for "+s, strings.Join(r.seen, "\n"))
		}
	}
}

// wait reads the rest of stderr and returns the exit code.
func (r *running) wait(t *testing.T) (code int, stderr string) {
	t.Helper()
	for line := range r.lines {
		r.seen = append(r.seen, line)
	}
	err := r.cmd.Wait()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return ee.ExitCode(), strings.Join(r.seen, "\n")
	}
	require.NoError(t, err)
	return 0, strings.Join(r.seen, "\n")
}

func (r *running) interrupt(t *testing.T) {
	t.Helper()
	require.NoError(t, r.cmd.Process.Signal(os.Interrupt))
}

// TestInterruptWaitsThenResume: the first Ctrl-C lets the running job
// finish and starts nothing more; --resume then runs only the rest.
func TestInterruptWaitsThenResume(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", holdPipeline)
	r := start(t, dir, "run", file)
	r.await(t, "] start hold")
	r.interrupt(t)
	r.await(t, "dagq: interrupted: starting no more jobs, waiting for the 1 running")
	writeFile(t, dir, "release", "")
	code, stderr := r.wait(t)
	require.Equal(t, exitInterrupted, code, stderr)
	require.Contains(t, stderr, "] ok hold in ")
	requireStatuses(t, r.stdout.String(), "first succeeded", "hold succeeded")
	require.Regexp(t, `(?m)^after\s+killed\s+-\s+-\s+\S`, r.stdout.String())
	require.Contains(t, stderr, "dagq run --resume p.yaml")
	require.NoFileExists(t, filepath.Join(dir, "after.ran"))

	res := runBinary(t, dir, "run", "--resume", file)
	require.Equal(t, exitOK, res.code, res.stderr)
	requireStatuses(t, res.stdout, "first cached", "hold cached", "after succeeded")
	require.FileExists(t, filepath.Join(dir, "after.ran"))
}

// TestSecondInterruptKills: the second Ctrl-C kills the running job's
// process group; --resume runs it again.
func TestSecondInterruptKills(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", holdPipeline)
	r := start(t, dir, "run", "--grace", "100ms", file)
	r.await(t, "] start hold")
	r.interrupt(t)
	r.await(t, "dagq: interrupted")
	r.interrupt(t)
	r.await(t, "dagq: killing the running jobs")
	code, stderr := r.wait(t)
	require.Equal(t, exitInterrupted, code, stderr)
	require.Regexp(t, `(?m)^hold\s+killed\s+\S+\s+\S+\s+\S`, r.stdout.String())
	requireStatuses(t, r.stdout.String(), "after killed")

	// The job's shell is gone, killed with its group. (It may have been
	// killed before it wrote its pid.)
	b, _ := os.ReadFile(filepath.Join(dir, "hold.pid"))
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
		require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH)
	}

	writeFile(t, dir, "release", "")
	res := runBinary(t, dir, "run", "--resume", file)
	require.Equal(t, exitOK, res.code, res.stderr)
	requireStatuses(t, res.stdout, "first cached", "hold succeeded", "after succeeded")
}

// TestRunRefusesWhileAnOrphanRuns: after dagq is killed with SIGKILL, its
// running job goes on; the next run finds it through the running-jobs
// file and refuses to start a second copy, naming the job and how to stop
// it. Once it is gone, the run goes ahead.
func TestRunRefusesWhileAnOrphanRuns(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `jobs:
  - name: long
    cmd: "if [ -f done ]; then exit 0; fi; echo $$ > long.pid; sleep 1000"
`)
	r := start(t, dir, "run", file)
	r.await(t, "] start long")
	var pid int
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "long.pid"))
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		pid = n
		return err == nil
	}, time.Minute, 5*time.Millisecond)
	t.Cleanup(func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })
	// The job's shell can write its pid before dagq records the process
	// (ExecOnStart runs once Start has returned): kill dagq only then.
	running := filepath.Join(dir, ".dagq", "state.db.running")
	require.Eventually(t, func() bool {
		b, _ := os.ReadFile(running)
		return strings.Contains(string(b), `"pid":`+strconv.Itoa(pid)+`,`)
	}, time.Minute, 5*time.Millisecond)
	require.NoError(t, r.cmd.Process.Kill()) // SIGKILL: dagq cannot stop its job
	code, _ := r.wait(t)
	require.Equal(t, -1, code)
	require.NoError(t, syscall.Kill(pid, 0), "the orphan runs on")

	for _, args := range [][]string{{"run", "--resume", file}, {"run", file}} {
		res := runBinary(t, dir, args...)
		require.Equal(t, exitFailed, res.code, res.stderr)
		p := strconv.Itoa(pid)
		require.Contains(t, res.stderr, `dagq: jobs of an earlier dagq run are still running, and would run twice: "long" (pid `+p+`; stop it with: kill -- -`+p+`)`)
		require.Empty(t, res.stdout, "nothing ran")
	}

	require.NoError(t, syscall.Kill(-pid, syscall.SIGKILL))
	writeFile(t, dir, "done", "")
	require.Eventually(t, func() bool { return !(runningJob{PID: pid}).alive() }, time.Minute, 5*time.Millisecond)
	res := runBinary(t, dir, "run", "--resume", file)
	require.Equal(t, exitOK, res.code, "the run goes ahead once the orphan is gone: %s", res.stderr)
	require.NoFileExists(t, filepath.Join(dir, ".dagq", "state.db.running"), "removed when nothing runs")
}

// SIGTERM stops the run as Ctrl-C does, and dagq exits with 143.
func TestTerminateExits143(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", holdPipeline)
	r := start(t, dir, "run", "--grace", "100ms", file)
	r.await(t, "] start hold")
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGTERM))
	r.await(t, "dagq: interrupted")
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGTERM))
	code, stderr := r.wait(t)
	require.Equal(t, exitTerminated, code, stderr)
}
