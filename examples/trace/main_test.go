package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestTrace runs the 200-task pipeline and checks the files it writes.
func TestTrace(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(dir, 50, &out))
	require.Contains(t, out.String(), "200 tasks: 197 succeeded, 1 failed, 2 killed")

	data, err := os.ReadFile(filepath.Join(dir, "trace.json"))
	require.NoError(t, err)
	var trace struct {
		TraceEvents []struct{ Ph string } `json:"traceEvents"`
	}
	require.NoError(t, json.Unmarshal(data, &trace))
	complete := 0
	for _, e := range trace.TraceEvents {
		if e.Ph == "X" {
			complete++
		}
	}
	require.Equal(t, 198, complete, "every task but the two killed before running")

	page, err := os.ReadFile(filepath.Join(dir, "timeline.html"))
	require.NoError(t, err)
	require.Equal(t, 200, strings.Count(string(page), `<g class="task">`))

	dot, err := os.ReadFile(filepath.Join(dir, "graph.dot"))
	require.NoError(t, err)
	require.Equal(t, 200, strings.Count(string(dot), "fillcolor="))
	mmd, err := os.ReadFile(filepath.Join(dir, "graph.mmd"))
	require.NoError(t, err)
	require.Contains(t, string(mmd), ":::failed")
}
