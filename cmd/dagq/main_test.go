package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// binary is the dagq command built for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dagq-cli")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "dagq")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building dagq: %v\n%s", err, out)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// result is what a run of the binary printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// runTimeout bounds a run of the binary, so that a run that never ends
// fails its test instead of hanging the package until go test's timeout.
const runTimeout = 2 * time.Minute

// runBinary runs the binary in dir with args and returns what it did.
func runBinary(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runBinaryEnv(t, dir, nil, args...)
}

// runBinaryEnv is runBinary with env added to the environment, which is
// the test's without the variables that change dagq's output.
func runBinaryEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.WaitDelay = time.Second // a job left running must not hold the pipes
	cmd.Env = append(os.Environ(), "GITHUB_ACTIONS=", "NO_COLOR=")
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "dagq %v did not end within %v; it printed:\n%s\n%s", args, runTimeout, out.String(), errb.String())
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{out.String(), errb.String(), code}
}

// writeFile writes a file under dir and returns its name.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	return name
}

func TestUsage(t *testing.T) {
	r := runBinary(t, t.TempDir())
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, "usage:")

	r = runBinary(t, t.TempDir(), "help")
	require.Equal(t, exitOK, r.code)
	require.Contains(t, r.stdout, "dagq run [flags] pipeline.yaml")

	r = runBinary(t, t.TempDir(), "frobnicate")
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `unknown command "frobnicate"`)

	r = runBinary(t, t.TempDir(), "run")
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, "dagq run: want a pipeline file")

	r = runBinary(t, t.TempDir(), "--version")
	require.Equal(t, exitOK, r.code)
	require.Regexp(t, `^dagq \S+ \(go1\.\d+`, r.stdout)

	r = runBinary(t, t.TempDir(), "run", "--progress", "fancy", "a.yaml")
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `--progress "fancy"`)

	r = runBinary(t, t.TempDir(), "run", "missing.yaml")
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, "missing.yaml: no such file")
}
