package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlan(t *testing.T) {
	r := runBinary(t, t.TempDir(), "plan", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "13 jobs, 4 queues, GPUs 0,1\n")
	require.Contains(t, r.stdout, "  1. fetch-src            queue net\n")
	require.Contains(t, r.stdout, " 10. train                queue gpu, 2 GPU(s), after build, fetch-data\n")
	require.Contains(t, r.stdout, "digraph")
	require.Contains(t, r.stdout, `"build" -> "test-unit"`)

	r = runBinary(t, t.TempDir(), "plan", "--format", "mermaid", "--gpus", "none", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "GPUs none (GPU jobs share CPU slots)")
	require.Contains(t, r.stdout, "flowchart LR\n")

	r = runBinary(t, t.TempDir(), "plan", "--format", "none", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NotContains(t, r.stdout, "digraph")

	r = runBinary(t, t.TempDir(), "plan", "--format", "svg", examplePipeline(t))
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `--format "svg": want dot, mermaid or none`)
}
