//go:build unix

package dagq_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// groupAlive reports whether a live (not zombie) process is in process
// group pgid, reading /proc.
func groupAlive(t *testing.T, pgid int) bool {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid pgrp ...
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 2 && f[0] != "Z" && f[0] != "X" && f[2] == strconv.Itoa(pgid) {
			return true
		}
	}
	return false
}

func needProc(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
}

func newExecScheduler(t *testing.T, opts ...dagq.ExecOption) (*dagq.Scheduler, *dagq.Queue) {
	s := dagq.New(dagq.WithBackend("exec", dagq.Exec(opts...)))
	t.Cleanup(func() { require.NoError(t, s.Shutdown(context.Background())) })
	require.NoError(t, s.Start(t.Context()))
	return s, s.DefaultQueue()
}

func TestExecSuccess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, q := newExecScheduler(t, dagq.ExecDir(dir))
	f := dagq.Command(q, []string{"sh", "-c", "echo hello; echo world >&2; pwd"}, dagq.Name("greet"))
	res, err := f.Get(t.Context())
	require.NoError(t, err)
	real, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	require.Equal(t, "hello\nworld\n"+real+"\n", res.Output)
	require.Empty(t, res.Log)
	require.Equal(t, "exec", f.Info().Backend)
}

func TestExecFailureKeepsTailAndLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, q := newExecScheduler(t, dagq.ExecLogDir(filepath.Join(dir, "logs")), dagq.ExecEnv("GREETING=hi"))
	f := dagq.Command(q, []string{"sh", "-c", `echo "$GREETING out"; echo err >&2; exit 3`}, dagq.Name("build/all"))
	_, err := f.Get(t.Context())
	var xe *dagq.ExitError
	require.ErrorAs(t, err, &xe)
	require.Equal(t, 3, xe.Code)
	require.Equal(t, "hi out\nerr", xe.Tail)
	require.Contains(t, err.Error(), "exited with code 3")
	require.Contains(t, err.Error(), "hi out\nerr")
	require.Equal(t, filepath.Join(dir, "logs", "1-build_all.1.log"), xe.Log)
	b, err := os.ReadFile(xe.Log)
	require.NoError(t, err)
	require.Equal(t, "hi out\nerr\n", string(b))
}

func TestExecNotFound(t *testing.T) {
	t.Parallel()
	_, q := newExecScheduler(t)
	_, err := dagq.Command(q, []string{"/nonexistent/program"}).Get(t.Context())
	var xe *dagq.ExitError
	require.ErrorAs(t, err, &xe)
	require.Equal(t, -1, xe.Code)
	require.Contains(t, err.Error(), "/nonexistent/program")
}

// A command that exits leaving a process behind in its group: the process
// is killed and the task ends.
func TestExecKillsLeftovers(t *testing.T) {
	t.Parallel()
	needProc(t)
	_, q := newExecScheduler(t)
	res, err := dagq.Command(q, []string{"sh", "-c", "sleep 1000 & echo $$"}).Get(t.Context())
	require.NoError(t, err)
	pgid, err := strconv.Atoi(strings.TrimSpace(res.Output))
	require.NoError(t, err)
	require.False(t, groupAlive(t, pgid))
}

// stubborn ignores SIGTERM, as does the child it leaves running.
const stubborn = `echo $$ > "$1"; trap "" TERM; sleep 1000 & wait`

func TestExecCancel(t *testing.T) {
	t.Parallel()
	needProc(t)
	for _, cmd := range []string{stubborn, `echo $$ > "$1"; sleep 1000 & wait`} {
		s, q := newExecScheduler(t, dagq.ExecGrace(50*time.Millisecond))
		fifo := filepath.Join(t.TempDir(), "pid")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		f := dagq.Command(q, []string{"sh", "-c", cmd, "sh", fifo})
		b, err := os.ReadFile(fifo) // blocks until the shell wrote its pid
		require.NoError(t, err)
		pgid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		require.NoError(t, err)
		require.True(t, groupAlive(t, pgid))
		s.Cancel(f.ID(), "enough")
		_, err = f.Get(t.Context())
		require.ErrorIs(t, err, dagq.ErrKilled)
		require.NoError(t, s.Shutdown(t.Context())) // waits for the process to be gone
		require.False(t, groupAlive(t, pgid), "the process group is gone")
	}
}

func TestExecTimeout(t *testing.T) {
	t.Parallel()
	needProc(t)
	s, q := newExecScheduler(t, dagq.ExecGrace(50*time.Millisecond))
	f := dagq.Command(q, []string{"sh", "-c", `echo $$; trap "" TERM; sleep 1000 & wait`}, dagq.Timeout(time.Second))
	_, err := f.Get(t.Context())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var xe *dagq.ExitError
	require.ErrorAs(t, err, &xe)
	require.Equal(t, -1, xe.Code, "killed by a signal")
	pgid, err := strconv.Atoi(xe.Tail)
	require.NoError(t, err)
	require.False(t, groupAlive(t, pgid), "the process group is gone")
	require.Equal(t, dagq.Failed, f.Status())
	require.Error(t, s.Wait(t.Context()))
}

func TestExecSpecOutOfTheBox(t *testing.T) {
	t.Parallel()
	s := dagq.New()
	defer s.Shutdown(context.Background())
	marker := filepath.Join(t.TempDir(), "made")
	require.NoError(t, s.Add(
		dagq.Spec{Name: "make", Cmd: []string{"touch", marker}},
		dagq.Spec{Name: "check", Cmd: []string{"test", "-f", marker}, Deps: []string{"make"}},
	))
	require.NoError(t, s.Run(t.Context()))

	info, ok := s.Lookup("make")
	require.True(t, ok)
	require.Equal(t, "exec", info.Backend, "a spec with Cmd and no Backend runs on exec when the default runs functions")
	err := s.Add(dagq.Spec{Name: "bad", Backend: "local", Cmd: []string{"true"}})
	require.ErrorContains(t, err, `backend "local" runs functions`)
	err = s.Add(dagq.Spec{Name: "closure", Backend: "exec", Run: func(context.Context) error { return nil }})
	var ge *dagq.GraphError
	require.ErrorAs(t, err, &ge)
	require.Contains(t, ge.Error(), `backend "exec": the exec backend runs commands`)
}

func TestExecRefusals(t *testing.T) {
	t.Parallel()
	s := dagq.New()
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	var se *dagq.SubmitError
	_, err := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.OnBackend("exec")).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "runs commands")
	_, err = dagq.Command(q, []string{"true"}, dagq.Needs(dagq.Resources{GPUs: 1})).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "send the task to a GPU backend that wraps it")

	_, err = dagq.Exec().Run(t.Context(), &dagq.Job{})
	require.ErrorContains(t, err, "empty command")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = dagq.Exec().Run(ctx, &dagq.Job{Cmd: []string{"true"}})
	require.ErrorIs(t, err, context.Canceled)
}

func TestExecOnGPU(t *testing.T) {
	t.Parallel()
	g, err := dagq.NewGPU("2,3", dagq.WithInner(dagq.Exec()))
	require.NoError(t, err)
	s := dagq.New(dagq.WithBackend("gpu", g))
	defer s.Shutdown(context.Background())
	require.NoError(t, s.Start(t.Context()))
	f := dagq.Command(s.DefaultQueue(), []string{"sh", "-c", "echo $CUDA_VISIBLE_DEVICES"},
		dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: 2}))
	res, err := f.Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, "2,3\n", res.Output)
}

func TestExecOptionStrings(t *testing.T) {
	t.Parallel()
	require.Equal(t, `ExecLogDir("logs")`, dagq.ExecLogDir("logs").String())
	require.Equal(t, `ExecGrace(2s)`, dagq.ExecGrace(2*time.Second).String())
	require.Equal(t, `ExecEnv(["A=1"])`, dagq.ExecEnv("A=1").String())
	require.Equal(t, `ExecDir("/tmp")`, dagq.ExecDir("/tmp").String())
	require.Equal(t, `ExecLogName(...)`, dagq.ExecLogName(nil).String())
	require.Equal(t, `ExecOutput(...)`, dagq.ExecOutput(nil).String())
}

// TestExecLogLimit runs a chatty command under a small ExecLogLimit: the
// log file stays near the cap and keeps the output's start and end.
func TestExecLogLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, q := newExecScheduler(t, dagq.ExecLogDir(dir), dagq.ExecLogLimit(4096))
	script := `echo START; i=0; while [ $i -lt 5000 ]; do echo "line $i"; i=$((i+1)); done; echo END`
	res, err := dagq.Command(q, []string{"sh", "-c", script}).Get(t.Context())
	require.NoError(t, err)
	b, err := os.ReadFile(res.Log)
	require.NoError(t, err)
	require.Less(t, len(b), 4096+100)
	require.True(t, strings.HasPrefix(string(b), "START\nline 0\n"))
	require.True(t, strings.HasSuffix(string(b), "line 4999\nEND\n"))
	require.Contains(t, string(b), "bytes of output dropped here, ExecLogLimit(4096)]")
	require.Equal(t, "ExecLogLimit(4096)", dagq.ExecLogLimit(4096).String())
}

// TestShutdownDeadlineWaitsForExecGroups checks that Shutdown, once its
// deadline passed and it cancelled a running command that ignores
// SIGTERM, waits for the Exec backend's SIGKILL within its grace: when it
// returns, the process group is gone, so a program that exits then leaves
// nothing behind.
func TestShutdownDeadlineWaitsForExecGroups(t *testing.T) {
	t.Parallel()
	needProc(t)
	s := dagq.New(dagq.WithBackend("exec", dagq.Exec(dagq.ExecGrace(100*time.Millisecond))))
	require.NoError(t, s.Start(t.Context()))
	fifo := filepath.Join(t.TempDir(), "pid")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	f := dagq.Command(s.DefaultQueue(), []string{"sh", "-c", stubborn, "sh", fifo})
	b, err := os.ReadFile(fifo) // blocks until the shell wrote its pid
	require.NoError(t, err)
	pgid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // a deadline that has passed
	require.Equal(t, context.Canceled, s.Shutdown(ctx), "everything returned within the grace")
	require.False(t, groupAlive(t, pgid), "the process group is gone when Shutdown returns")
	require.Equal(t, dagq.Killed, f.Status())
}

// TestExecOnStart checks that the hook sees each attempt's pid once the
// process started, and that its gone function runs once the group is gone.
func TestExecOnStart(t *testing.T) {
	t.Parallel()
	needProc(t)
	var mu sync.Mutex
	var pids []int
	goneAlive := true
	hook := func(job *dagq.Job, pid int) func() {
		mu.Lock()
		pids = append(pids, pid)
		mu.Unlock()
		return func() {
			mu.Lock()
			goneAlive = groupAlive(t, pid)
			mu.Unlock()
		}
	}
	_, q := newExecScheduler(t, dagq.ExecOnStart(hook))
	res, err := dagq.Command(q, []string{"sh", "-c", "sleep 1000 & echo $$"}).Get(t.Context())
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []int{mustAtoi(t, strings.TrimSpace(res.Output))}, pids)
	require.False(t, goneAlive, "gone runs once the group is gone")
	require.Equal(t, "ExecOnStart(...)", dagq.ExecOnStart(hook).String())
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
