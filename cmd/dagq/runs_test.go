package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

// TestRunLogsKeepHistory: each run writes its logs in a directory of its
// own, latest names the newest, and only the newest --keep-runs stay.
func TestRunLogsKeepHistory(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `jobs:
  - {name: greet, cmd: "echo run $(cat n 2>/dev/null)"}
  - {name: "odd name/x", cmd: "echo odd"}
`)
	for i := range 3 {
		writeFile(t, dir, "n", string(rune('1'+i)))
		r := runBinary(t, dir, "run", "--keep-runs", "2", file)
		require.Equal(t, exitOK, r.code, r.stderr)
	}
	runs, err := filepath.Glob(filepath.Join(dir, ".dagq", "runs", "2*"))
	require.NoError(t, err)
	require.Len(t, runs, 2, "the oldest run was removed")
	require.Equal(t, "run 3\n", readLog(t, dir, "greet"))
	b, err := os.ReadFile(filepath.Join(runs[0], "greet.1.log"))
	require.NoError(t, err)
	require.Equal(t, "run 2\n", string(b))
	odd, err := filepath.Glob(filepath.Join(dir, ".dagq", "runs", "latest", "odd_name_x-*.1.log"))
	require.NoError(t, err)
	require.Len(t, odd, 1, "an unsafe name is replaced, with the job's id")
}

func TestRunLogNames(t *testing.T) {
	l, err := newRunLogs(t.TempDir(), time.Date(2026, 12, 3, 9, 4, 5, 6e6, time.UTC), 0)
	require.NoError(t, err)
	require.Equal(t, "20261203-090405.006", filepath.Base(l.dir))
	again, err := newRunLogs(l.root, time.Date(2026, 12, 3, 9, 4, 5, 6e6, time.UTC), 0)
	require.NoError(t, err)
	require.Equal(t, "20261203-090405.007", filepath.Base(again.dir), "a run in the same millisecond")
	require.Equal(t, filepath.Join("20261203-090405.007", "build.2.log"), again.name(&dagq.Job{ID: 3, Name: "build", Attempt: 2}))
	require.Equal(t, filepath.Join("20261203-090405.007", "..-4.1.log"), again.name(&dagq.Job{ID: 4, Name: "..", Attempt: 1}))
}

// TestRunOutputModes runs a pipeline whose jobs print in each --output
// mode: the output reaches stdout above the summary, and with --logs ""
// it is not lost.
func TestRunOutputModes(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `jobs:
  - {name: a, cmd: "echo a1; echo a2 >&2; printf a3"}
  - {name: b, deps: [a], cmd: "echo b1"}
`)
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--logs", ""}, nil, "[a] a1\n[a] a2\n[a] a3\n[b] b1\nJOB"},
		{[]string{"--output", "interleaved"}, nil, "a1\na2\na3\nb1\nJOB"},
		{[]string{"--output", "grouped"}, nil, "== a\na1\na2\na3\n== b\nb1\nJOB"},
		{[]string{"--output", "grouped"}, []string{"GITHUB_ACTIONS=true"}, "::group::a\na1\na2\na3\n::endgroup::\n::group::b\nb1\n::endgroup::\nJOB"},
		{[]string{"--output", "none"}, nil, "JOB"},
	} {
		r := runBinaryEnv(t, dir, tc.env, append(append([]string{"run"}, tc.args...), file)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		require.True(t, strings.HasPrefix(r.stdout, tc.want), "%v: %q", tc.args, r.stdout)
	}
	r := runBinary(t, dir, "run", "--output", "loud", file)
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `--output "loud": want prefixed, interleaved, grouped, none`)
}
