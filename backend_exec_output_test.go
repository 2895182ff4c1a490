//go:build unix

package dagq_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// captured is an ExecOutput writer that records what it got and whether
// it was closed.
type captured struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	closed bool
}

func (c *captured) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *captured) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

// TestExecEnvAndDir: a task's Env comes after the backend's (and wins),
// and a relative Dir is taken from ExecDir; the same through Spec.
func TestExecEnvAndDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "sub"), 0o755))
	real, err := filepath.EvalSymlinks(root)
	require.NoError(t, err)
	s, q := newExecScheduler(t, dagq.ExecDir(root), dagq.ExecEnv("A=backend", "B=backend"))
	argv := []string{"sh", "-c", `echo "$A $B"; pwd`}
	res, err := dagq.Command(q, argv, dagq.Env("B=task"), dagq.Dir("sub")).Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, "backend task\n"+filepath.Join(real, "sub")+"\n", res.Output)

	require.NoError(t, s.Add(dagq.Spec{Name: "spec", Cmd: argv, Env: []string{"A=spec"}, Dir: filepath.Join(real, "sub")}))
	require.NoError(t, s.Wait(t.Context()))
	out := s.Tasks()
	require.Equal(t, dagq.Succeeded, out[len(out)-1].Status)
}

// Env and Dir are refused, changing nothing, where they cannot apply.
func TestEnvAndDirRefusals(t *testing.T) {
	t.Parallel()
	s := dagq.New()
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	var se *dagq.SubmitError
	_, err := dagq.Command(q, []string{"true"}, dagq.Env("NOEQUALS")).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), `Env("NOEQUALS"): want KEY=value`)
	_, err = dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Dir("/tmp")).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "Env and Dir are for commands")

	var ge *dagq.GraphError
	err = s.Add(dagq.Spec{Name: "closure", Run: func(context.Context) error { return nil }, Env: []string{"A=1"}})
	require.ErrorAs(t, err, &ge)
	require.Equal(t, "closure", ge.Spec)
	err = s.Add(dagq.Spec{Name: "cmd", Cmd: []string{"true"}, Env: []string{"=1"}})
	require.ErrorAs(t, err, &ge)
	require.Empty(t, s.Tasks()[2:], "a refused Add adds nothing")
}

// TestExecOutputAndLogName: ExecOutput gets each attempt's output and is
// closed before the task ends; ExecLogName places the logs, and a name
// that would leave the directory falls back to the default.
func TestExecOutputAndLogName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var mu sync.Mutex
	outs := map[string]*captured{}
	name := func(job *dagq.Job) string {
		if job.Name == "escape" {
			return "../outside.log"
		}
		return fmt.Sprintf("run/%s.%d.log", job.Name, job.Attempt)
	}
	output := func(job *dagq.Job) io.Writer {
		if job.Name == "silent" {
			return nil
		}
		c := &captured{}
		mu.Lock()
		outs[fmt.Sprintf("%s.%d", job.Name, job.Attempt)] = c
		mu.Unlock()
		return c
	}
	_, q := newExecScheduler(t, dagq.ExecLogDir(dir), dagq.ExecLogName(name), dagq.ExecOutput(output))
	res, err := dagq.Command(q, []string{"sh", "-c", "echo one; echo two >&2"}, dagq.Name("greet")).Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "run", "greet.1.log"), res.Log)
	mu.Lock()
	c := outs["greet.1"]
	mu.Unlock()
	require.True(t, c.closed, "closed before the task ended")
	require.Equal(t, "one\ntwo\n", c.buf.String())

	_, err = dagq.Command(q, []string{"sh", "-c", "exit 1"}, dagq.Name("flaky"), dagq.Retry(1, 0)).Get(t.Context())
	require.Error(t, err)
	mu.Lock()
	require.Contains(t, outs, "flaky.2", "a writer per attempt")
	mu.Unlock()
	require.FileExists(t, filepath.Join(dir, "run", "flaky.2.log"))

	res, err = dagq.Command(q, []string{"true"}, dagq.Name("escape")).Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, dir, filepath.Dir(res.Log), "a name outside the directory is not used")
	_, err = dagq.Command(q, []string{"true"}, dagq.Name("silent")).Get(t.Context())
	require.NoError(t, err)
}

// broken fails or panics on Write and Close.
type broken struct{ panics bool }

func (b broken) Write([]byte) (int, error) {
	if b.panics {
		panic("boom")
	}
	return 0, errors.New("disk full")
}

func (b broken) Close() error {
	if b.panics {
		panic("boom")
	}
	return nil
}

// A writer that fails or panics stops getting output; the command's own
// result and tail are untouched, and a panicking Close fails the task
// with the panic named rather than crashing the process.
func TestExecOutputWriterFaults(t *testing.T) {
	t.Parallel()
	for _, panics := range []bool{false, true} {
		_, q := newExecScheduler(t, dagq.ExecOutput(func(*dagq.Job) io.Writer { return broken{panics} }))
		res, err := dagq.Command(q, []string{"echo", "kept"}).Get(t.Context())
		if panics {
			require.ErrorContains(t, err, "the output writer's Close panicked: boom")
			continue
		}
		require.NoError(t, err)
		require.Equal(t, "kept\n", res.Output)
	}
}
