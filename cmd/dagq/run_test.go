package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

// examplePipeline is the repository's example, as an absolute path.
func examplePipeline(t *testing.T) string {
	path, err := filepath.Abs(filepath.Join("..", "..", "examples", "pipeline.yaml"))
	require.NoError(t, err)
	return path
}

func TestRunExampleThenResume(t *testing.T) {
	dir := t.TempDir()
	r := runBinary(t, dir, "run", "--trace", "trace.json", "--timeline", "timeline.html", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "13 jobs: 13 succeeded (0 cached), 0 failed, 0 killed or not run")
	require.Regexp(t, `(?m)^train\s+succeeded\s+\d`, r.stdout)
	// Not a terminal: a line per start and end.
	require.Contains(t, r.stderr, "] start train on GPU 0,1\n")
	require.Contains(t, r.stderr, "] ok report in ")

	require.Equal(t, "training on GPUs 0,1\nmodel saved\n", readLog(t, dir, "train"))
	require.Regexp(t, `(?s)\n\[train\] training on GPUs 0,1\n.*\n\[train\] model saved\n`, r.stdout, "prefixed output, line by line")

	trace, err := os.ReadFile(filepath.Join(dir, "trace.json"))
	require.NoError(t, err)
	require.True(t, json.Valid(trace))
	require.Contains(t, string(trace), `"train"`)
	page, err := os.ReadFile(filepath.Join(dir, "timeline.html"))
	require.NoError(t, err)
	require.Contains(t, string(page), "<svg")

	r = runBinary(t, dir, "run", "--resume", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "13 jobs: 13 succeeded (13 cached)")
	require.NotContains(t, r.stderr, "] start ")

	// Without --resume every job runs again.
	r = runBinary(t, dir, "run", "--progress", "none", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "13 succeeded (0 cached)")
	require.Empty(t, r.stderr)
}

// TestRunDamagedStateFile checks that a damaged state file stops the run
// with a message naming the file and what to do, and is left as it was.
func TestRunDamagedStateFile(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, ".dagq", "state.db")
	require.NoError(t, os.MkdirAll(filepath.Dir(state), 0o755))
	require.NoError(t, os.WriteFile(state, []byte("half a database"), 0o600))
	r := runBinary(t, dir, "run", "--resume", examplePipeline(t))
	require.Equal(t, exitFailed, r.code, r.stderr)
	require.Contains(t, r.stderr, "dagq: state file: boltstore: "+filepath.Join(".dagq", "state.db")+" is not a sound store file (the file is 15 bytes, too short for a store)")
	require.Contains(t, r.stderr, "move it aside")
	b, err := os.ReadFile(state)
	require.NoError(t, err)
	require.Equal(t, "half a database", string(b))
}

func TestRunFailure(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `
jobs:
  - {name: prepare, cmd: "echo ready"}
  - {name: flaky, deps: [prepare], cmd: "echo half-way; exit 3"}
  - {name: publish, deps: [flaky], cmd: "touch published"}
  - {name: lint, deps: [prepare], cmd: "echo lint ok"}
  - {name: cleanup, deps: [flaky], trigger: all_done, cmd: "echo cleaned"}
`)
	r := runBinary(t, dir, "run", file)
	require.Equal(t, exitFailed, r.code)
	require.Regexp(t, `(?m)^flaky\s+failed\s+\S+\s+\S+\s+exit code 3, log \.dagq/runs/[0-9.-]+/flaky\.1\.log$`, r.stdout)
	require.Regexp(t, `\n--- flaky failed \(exit code 3, log \S+\); its last lines:\nhalf-way\n$`, r.stdout, "the tail under the summary")
	require.Regexp(t, `(?m)^publish\s+killed\s+-\s+-\s+dependency "flaky" \(id \d+\) failed`, r.stdout)
	requireStatuses(t, r.stdout, "lint succeeded", "cleanup succeeded")
	require.Contains(t, r.stdout, "5 jobs: 3 succeeded (0 cached), 1 failed, 1 killed or not run")
	require.Contains(t, r.stderr, "] FAILED flaky: exit code 3")
	require.Contains(t, r.stderr, "dagq run --resume p.yaml")
	require.NoFileExists(t, filepath.Join(dir, "published"))

	// Fixed, the pipeline resumes: only flaky and what follows it run,
	// cleanup included: it ran after the failure, and its dependency runs
	// again.
	writeFile(t, dir, "p.yaml", strings.Replace(readFile(t, dir, "p.yaml"), "exit 3", "exit 0", 1))
	r = runBinary(t, dir, "run", "--resume", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	requireStatuses(t, r.stdout, "prepare cached", "lint cached", "flaky succeeded", "publish succeeded", "cleanup succeeded")
	require.FileExists(t, filepath.Join(dir, "published"))
}

func TestRunTimeoutAndRetries(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `
jobs:
  - name: retried
    # fails on its first attempt only
    cmd: "if [ -f seen ]; then echo second; else touch seen; exit 1; fi"
    retries: 1
  - name: slow
    cmd: "sleep 30"
    timeout: 100ms
`)
	r := runBinary(t, dir, "run", "--state", "", "--grace", "0s", file)
	require.Equal(t, exitFailed, r.code)
	requireStatuses(t, r.stdout, "retried succeeded")
	require.Regexp(t, `(?m)^slow\s+failed\s+.*(timeout|deadline)`, r.stdout)
	require.NotContains(t, r.stderr, "--resume", "no state file, nothing to resume")
	require.NoDirExists(t, filepath.Join(dir, ".dagq", "state.db"))
}

func TestRunGPUsFlag(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `
gpus: "0-3"
jobs:
  - {name: train, gpus: 2, cmd: "echo devices=$CUDA_VISIBLE_DEVICES"}
`)
	r := runBinary(t, dir, "run", "--gpus", "6,7", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "devices=6,7\n", readLog(t, dir, "train"))

	// Without devices, GPU jobs share CPU slots and see none.
	r = runBinary(t, dir, "run", "--gpus", "none", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "devices=\n", readLog(t, dir, "train"))

	r = runBinary(t, dir, "run", "--gpus", "1,1", file)
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `dagq: --gpus: bad item "1": device 1 listed twice`)
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(b)
}

// readLog returns the output of a job's first attempt in the latest run.
func readLog(t *testing.T, dir, job string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".dagq", "runs", "latest", job+".1.log"))
	require.NoError(t, err)
	return string(b)
}

// requireStatuses checks rows of the summary table: each of want is a
// job's name and its status, e.g. "build succeeded".
func requireStatuses(t *testing.T, summary string, want ...string) {
	t.Helper()
	for _, w := range want {
		name, status, _ := strings.Cut(w, " ")
		require.Regexp(t, `(?m)^`+regexp.QuoteMeta(name)+`\s+`+status+`\s`, summary)
	}
}

// TestAddPipelineErrorsNameTheLine covers what the scheduler refuses
// although the file's checks passed: the error names the line.
func TestAddPipelineErrorsNameTheLine(t *testing.T) {
	p, err := parsePipeline("p.yaml", []byte(`queues:
  q: {size: 1}
jobs:
  - {name: a, cmd: "true", queue: q}
`), nil)
	require.NoError(t, err)
	p.jobs[0].spec.Queue = "gone"
	s := dagq.New()
	require.ErrorContains(t, addPipeline(s, p), `p.yaml:4: dagq: spec "a": unknown queue "gone"`)
	require.NoError(t, s.Shutdown(t.Context()))

	p.queues[0].size = 0
	s = dagq.New()
	require.ErrorContains(t, addPipeline(s, p), "p.yaml:2: dagq: queue \"q\": size 0")
	require.NoError(t, s.Shutdown(t.Context()))
}

// targetsPipeline has two independent branches under a report.
const targetsPipeline = `jobs:
  - {name: gen, cmd: "touch gen.ran"}
  - {name: build, deps: [gen], cmd: "touch build.ran"}
  - {name: lint, cmd: "touch lint.ran"}
  - {name: report, deps: [build, lint], cmd: "touch report.ran"}
`

// `dagq run p.yaml build` runs build and what it needs, nothing else.
func TestRunTargets(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", targetsPipeline)
	r := runBinary(t, dir, "run", file, "build")
	require.Equal(t, exitOK, r.code, r.stderr)
	requireStatuses(t, r.stdout, "gen succeeded", "build succeeded")
	require.Contains(t, r.stdout, "2 jobs: 2 succeeded")
	require.FileExists(t, filepath.Join(dir, "build.ran"))
	require.NoFileExists(t, filepath.Join(dir, "lint.ran"))
	require.NoFileExists(t, filepath.Join(dir, "report.ran"))

	r = runBinary(t, dir, "run", file, "lint", "nope")
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `no job named "nope" to run`)
	require.NoFileExists(t, filepath.Join(dir, "lint.ran"), "nothing runs on bad input")
}

// --dry-run prints the commands in an order they may run in, shell-quoted,
// and runs nothing.
func TestRunDryRun(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", targetsPipeline+`  - {name: quoted, cmd: ["printf", "it's %s\n", "a b"]}
`)
	r := runBinary(t, dir, "run", "--dry-run", file, "report", "quoted")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Equal(t, "# gen\nsh -c 'touch gen.ran'\n# build\nsh -c 'touch build.ran'\n# lint\nsh -c 'touch lint.ran'\n"+
		"# report\nsh -c 'touch report.ran'\n# quoted\nprintf 'it'\\''s %s\n' 'a b'\n", r.stdout)
	require.NoFileExists(t, filepath.Join(dir, "gen.ran"))
}

// -j replaces the file's parallelism; --fail-fast kills what has not
// finished at the first failure.
func TestRunJobsAndFailFast(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `parallelism: 4
queues:
  default: {size: 4}
jobs:
  - {name: a, cmd: "mkdir lock && sleep 0.2 && rmdir lock"}
  - {name: b, cmd: "mkdir lock && sleep 0.2 && rmdir lock"}
`)
	r := runBinary(t, dir, "run", "-j", "1", file)
	require.Equal(t, exitOK, r.code, "one at a time, the two never hold the lock together: %s", r.stderr)

	r = runBinary(t, dir, "run", "-j", "-1", file)
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, "-j -1: want 0")

	file = writeFile(t, dir, "f.yaml", `queues:
  default: {size: 1}
jobs:
  - {name: bad, cmd: "exit 3"}
  - {name: other, cmd: "touch other.ran"}
`)
	r = runBinary(t, dir, "run", "--fail-fast", file)
	require.Equal(t, exitFailed, r.code)
	requireStatuses(t, r.stdout, "bad failed", "other killed")
	require.NoFileExists(t, filepath.Join(dir, "other.ran"))
}
