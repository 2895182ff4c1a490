package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlan(t *testing.T) {
	r := runBinary(t, t.TempDir(), "plan", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, "13 jobs, 4 queues, GPUs 0,1\n")
	require.Contains(t, r.stdout, "  1. fetch-src            queue net\n")
	require.Contains(t, r.stdout, " 10. train                queue gpu, 2 GPU(s), after build, fetch-data\n")
	require.NotContains(t, r.stdout, "digraph", "text is the job list only")

	r = runBinary(t, t.TempDir(), "plan", "--format", "dot", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.True(t, strings.HasPrefix(r.stdout, "digraph"), "dot only: %q", r.stdout[:min(40, len(r.stdout))])
	require.Contains(t, r.stdout, `"build" -> "test-unit"`)

	r = runBinary(t, t.TempDir(), "plan", "--format", "mermaid", "--gpus", "none", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	require.True(t, strings.HasPrefix(r.stdout, "flowchart LR\n"))

	r = runBinary(t, t.TempDir(), "plan", "--format", "json", examplePipeline(t))
	require.Equal(t, exitOK, r.code, r.stderr)
	var plan struct {
		File string
		GPUs []string
		Jobs []struct {
			Name, Queue, Key, Trigger string
			Cmd, Deps                 []string
			GPUs                      int
		}
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &plan))
	require.Len(t, plan.Jobs, 13)
	require.Equal(t, []string{"0", "1"}, plan.GPUs)
	require.Equal(t, "fetch-src", plan.Jobs[0].Name)
	require.Equal(t, "train", plan.Jobs[9].Name)
	require.Equal(t, 2, plan.Jobs[9].GPUs)
	require.Equal(t, []string{"build", "fetch-data"}, plan.Jobs[9].Deps)

	r = runBinary(t, t.TempDir(), "plan", "--format", "svg", examplePipeline(t))
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `--format "svg": want text, dot, mermaid or json`)
}

// Naming jobs keeps them and what they need, transitively; an unknown
// name is bad input with a suggestion.
func TestPlanTargets(t *testing.T) {
	r := runBinary(t, t.TempDir(), "plan", examplePipeline(t), "train")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stdout, " jobs, ")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")[1:]
	var names []string
	for _, l := range lines {
		names = append(names, strings.Fields(l)[1])
	}
	require.Equal(t, "train", names[len(names)-1])
	require.Contains(t, names, "build")
	require.Contains(t, names, "fetch-data")
	require.NotContains(t, names, "test-unit")

	r = runBinary(t, t.TempDir(), "plan", examplePipeline(t), "trian")
	require.Equal(t, exitBadInput, r.code)
	require.Contains(t, r.stderr, `no job named "trian" to run (fix: did you mean "train"?)`)
}
