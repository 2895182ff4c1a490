package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRunServesTheDashboard(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", `jobs:
  - name: build
    cmd: echo built
  - name: broken
    cmd: "echo 'main.go:3: expected ;' >&2; exit 3"
  - name: serve
    cmd: "while [ ! -f never ]; do sleep 0.01; done"
`)
	r := start(t, dir, "run", "--dashboard", "127.0.0.1:0", "--dashboard-controls", "--progress", "lines", file)
	r.await(t, "dagq: dashboard at http://")
	url := regexp.MustCompile(`http://\S+/`).FindString(r.seen[len(r.seen)-1])
	r.await(t, "] start serve")

	page := getBody(t, url)
	require.Contains(t, page, "<title>dagq run p.yaml</title>")
	token := regexp.MustCompile(`name="dagq-token" content="([0-9a-f]+)"`).FindStringSubmatch(page)[1]

	var tasks struct {
		Tasks []struct {
			ID           int
			Name, Status string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(getBody(t, url+"api/tasks")), &tasks))
	ids := map[string]int{}
	for _, task := range tasks.Tasks {
		ids[task.Name] = task.ID
	}
	require.Len(t, ids, 3)
	var broken struct{ Status, Error, Log string }
	require.Eventually(t, func() bool {
		require.NoError(t, json.Unmarshal([]byte(getBody(t, url+"api/task?id="+strconv.Itoa(ids["broken"]))), &broken))
		return broken.Status == "failed"
	}, runTimeout, 5*time.Millisecond)
	require.Contains(t, broken.Log, "main.go:3: expected ;", "the task page shows the job's log")

	req, err := http.NewRequest(http.MethodPost, url+"api/control", strings.NewReader(`{"action":"cancel","id":`+strconv.Itoa(ids["serve"])+`}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Dagq-Token", token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	code, stderr := r.wait(t)
	require.Equal(t, exitFailed, code, stderr)
	requireStatuses(t, r.stdout.String(), "build succeeded", "broken failed", "serve killed")
	require.Contains(t, stderr, `action=cancel done="cancelled serve"`, "control actions are logged")
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	return string(b)
}

func TestDashboardFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "p.yaml", "jobs:\n  - name: a\n    cmd: \"true\"\n")
	res := runBinary(t, dir, "run", "--dashboard-controls", file)
	require.Equal(t, exitBadInput, res.code)
	require.Contains(t, res.stderr, "--dashboard-controls needs --dashboard ADDR")
	res = runBinary(t, dir, "run", "--dashboard", "256.0.0.1:http", file)
	require.Equal(t, exitBadInput, res.code)
	require.Contains(t, res.stderr, "dagq: --dashboard: listen tcp")
	require.Empty(t, res.stdout, "nothing ran")
}

func TestFromLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:5000": true, "[::1]:80": true, "10.0.0.7:5000": false, "garbage": false, "": false} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.RemoteAddr = addr
		require.Equal(t, want, fromLoopback(r), addr)
	}
}
