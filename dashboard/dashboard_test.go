package dashboard_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dashboard"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var bg = context.Background()

var quiet = dashboard.WithLogger(slog.New(slog.DiscardHandler))

// finishedRun returns a scheduler whose run is over: "compile" failed, so
// "link" and "test" were killed; "fetch" and "docs" succeeded; "gpu" has
// two tasks, one with a tenant and a key.
func finishedRun(t *testing.T) *dagq.Scheduler {
	t.Helper()
	s := dagq.New(dagq.WithResource("licence", 2))
	t.Cleanup(func() { require.NoError(t, s.Shutdown(bg)) })
	q := s.DefaultQueue()
	gpu, err := s.Queue("gpu", 2)
	require.NoError(t, err)
	ok := func(context.Context) (int, error) { return 1, nil }
	fetch := dagq.Submit(q, ok, dagq.Name("fetch"))
	compile := dagq.Then(q, fetch, func(context.Context, int) (int, error) { return 0, errors.New("syntax error at main.go:3") }, dagq.Name("compile"))
	link := dagq.Then(q, compile, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("link"))
	dagq.Then(q, link, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("test"))
	dagq.Submit(q, ok, dagq.Name("docs"), dagq.After(fetch), dagq.Weight(4))
	dagq.Submit(gpu, ok, dagq.Name("train"), dagq.Tenant("alice"), dagq.Key("train-v1"), dagq.Uses("licence", 1))
	dagq.Submit(gpu, ok, dagq.Name("eval"), dagq.Tenant("bob"))
	require.Error(t, s.Run(bg))
	return s
}

func get(t *testing.T, h http.Handler, target string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	var body map[string]any
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	}
	return rec.Code, body
}

func names(rows any) []string {
	var out []string
	for _, r := range rows.([]any) {
		out = append(out, r.(map[string]any)["name"].(string))
	}
	return out
}

func TestTaskTable(t *testing.T) {
	d := dashboard.New(finishedRun(t), quiet)
	defer d.Close()
	for _, c := range []struct {
		query   string
		want    []string
		matched float64
	}{
		{"", []string{"fetch", "compile", "link", "test", "docs", "train", "eval"}, 7},
		{"status=killed", []string{"link", "test"}, 2},
		{"status=failed", []string{"compile"}, 1},
		{"queue=gpu", []string{"train", "eval"}, 2},
		{"tenant=alice", []string{"train"}, 1},
		{"key=train-v1", []string{"train"}, 1},
		{"q=IN", []string{"link", "train"}, 2},
		{"offset=2&limit=2", []string{"link", "test"}, 7},
		{"offset=100", nil, 7},
		{"q=nothing", nil, 0},
	} {
		code, body := get(t, d, "/dagq/api/tasks?"+c.query)
		require.Equal(t, http.StatusOK, code, c.query)
		require.Equal(t, c.want, names(body["tasks"]), c.query)
		require.Equal(t, c.matched, body["matched"], c.query)
		require.Equal(t, 7.0, body["total"], c.query)
	}
}

func TestBadInputIsRefused(t *testing.T) {
	d := dashboard.New(finishedRun(t), quiet)
	defer d.Close()
	long := strings.Repeat("x", 201)
	for _, c := range []struct {
		target string
		code   int
		err    string
	}{
		{"/dagq/api/tasks?status=done", 400, `unknown status "done"`},
		{"/dagq/api/tasks?offset=-1", 400, "offset: want an integer"},
		{"/dagq/api/tasks?offset=99999999999999999999", 400, "offset: want an integer"},
		{"/dagq/api/tasks?limit=0", 400, "limit: want an integer from 1 to 500"},
		{"/dagq/api/tasks?limit=501", 400, "limit"},
		{"/dagq/api/tasks?q=" + long, 400, "longer than 200 bytes"},
		{"/dagq/api/tasks?run=other", 404, `no run named "other"`},
		{"/dagq/api/tasks?run=" + long, 404, "…"},
		{"/dagq/api/task", 400, "id: want a task id"},
		{"/dagq/api/task?id=abc", 400, "id: want a task id"},
		{"/dagq/api/task?id=0", 400, "id: want a task id"},
		{"/dagq/api/task?id=-3", 400, "id: want a task id"},
		{"/dagq/api/task?id=1e3", 400, "id: want a task id"},
		{"/dagq/api/task?id=99999", 404, "no task with id 99999"},
		{"/dagq/api/task?id=18446744073709551615", 404, "no task with id"},
		{"/dagq/api/graph?id=1&depth=0", 400, "depth: want an integer from 1 to 6"},
		{"/dagq/api/graph?id=1&depth=7", 400, "depth"},
		{"/dagq/api/graph?id=x", 400, "id"},
		{"/dagq/api/events?run=nope", 404, "no run named"},
	} {
		code, body := get(t, d, c.target)
		require.Equal(t, c.code, code, c.target)
		require.Contains(t, body["error"], c.err, c.target)
	}
	for _, target := range []string{"/dagq/api/nothing", "/dagq/assets/secret.go", "/dagq/assets/index.html", "/dagq/assets/..%2fdashboard.go", "/dagq/x"} {
		code, _ := get(t, d, target)
		require.Equal(t, http.StatusNotFound, code, target)
	}
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dagq/api/tasks", nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	require.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
}

func TestTaskPage(t *testing.T) {
	s := finishedRun(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "compile.log"), []byte(strings.Repeat("x", 20<<10)+"\nmain.go:3: syntax error\n\xff"), 0o644))
	d := dashboard.New(s, quiet, dashboard.WithLogs(func(t dagq.TaskInfo) string {
		if t.Name == "nolog" {
			return ""
		}
		return filepath.Join(dir, t.Name+".log")
	}))
	defer d.Close()
	compile, _ := s.Lookup("compile")
	code, p := get(t, d, fmt.Sprint("/api/task?id=", compile.ID))
	require.Equal(t, 200, code)
	require.Equal(t, "failed", p["status"])
	require.Equal(t, "syntax error at main.go:3", p["error"])
	require.Equal(t, []string{"fetch"}, names(p["deps"]))
	require.Equal(t, []string{"link"}, names(p["dependents"]))
	log := p["log"].(string)
	require.Len(t, log, 16<<10+2, "the last 16 KiB, the invalid byte replaced")
	require.True(t, strings.HasSuffix(log, "main.go:3: syntax error\n\uFFFD"))
	require.Zero(t, p["kills"], "a finished task kills nothing")

	test, _ := s.Lookup("test")
	_, p = get(t, d, fmt.Sprint("/api/task?id=", test.ID))
	require.Equal(t, "killed", p["status"])
	require.Contains(t, p["reason"], `dependency "compile"`)
	require.Equal(t, float64(compile.ID), p["culprit"], "the reason's culprit is linked")
	require.NotContains(t, p, "log", "a log that does not exist is left out")
	times := p["times"].([]any)
	require.NotZero(t, times[0])
	require.NotZero(t, times[5])
}

func TestGraphAroundATask(t *testing.T) {
	s := finishedRun(t)
	d := dashboard.New(s, quiet)
	defer d.Close()
	compile, _ := s.Lookup("compile")
	_, g := get(t, d, fmt.Sprint("/api/graph?id=", compile.ID, "&depth=1"))
	levels := map[string]float64{}
	for _, n := range g["nodes"].([]any) {
		n := n.(map[string]any)
		levels[n["name"].(string)] = n["level"].(float64)
	}
	require.Equal(t, map[string]float64{"fetch": -1, "compile": 0, "link": 1}, levels)
	require.Len(t, g["edges"], 2)
	_, g = get(t, d, fmt.Sprint("/api/graph?id=", compile.ID, "&depth=3"))
	require.Len(t, g["nodes"], 4, "fetch, compile, link, test: not docs, a sibling")
	require.Equal(t, false, g["truncated"])
}

func TestGraphIsBounded(t *testing.T) {
	s := dagq.New()
	defer func() { require.NoError(t, s.Shutdown(bg)) }()
	q := s.DefaultQueue()
	root := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil })
	for range 1000 {
		dagq.Then(q, root, func(_ context.Context, v int) (int, error) { return v, nil })
	}
	d := dashboard.New(s, quiet)
	defer d.Close()
	_, g := get(t, d, fmt.Sprint("/api/graph?id=", root.ID()))
	require.Len(t, g["nodes"], 150)
	require.Equal(t, true, g["truncated"])
	_, p := get(t, d, fmt.Sprint("/api/task?id=", root.ID()))
	require.Len(t, p["dependents"], 200)
	require.Equal(t, 1000.0, p["ndependents"])
	require.Equal(t, 1001.0, p["kills"], "cancelling the root would kill it and its 1000 dependents")
	require.NoError(t, s.Run(bg))
}

// events reads the event stream at url and returns a function that gives
// the next update.
func events(t *testing.T, ctx context.Context, url string) func() map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	r := bufio.NewReader(resp.Body)
	return func() map[string]any {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return nil
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var u map[string]any
				require.NoError(t, json.Unmarshal([]byte(data), &u))
				return u
			}
		}
	}
}

func TestEventStream(t *testing.T) {
	s := dagq.New()
	defer func() { require.NoError(t, s.Shutdown(bg)) }()
	d := dashboard.New(s, quiet, dashboard.WithName("nightly"))
	srv := httptest.NewServer(d)
	defer srv.Close()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	next := events(t, ctx, srv.URL+"/api/events")
	u := next()
	require.Equal(t, "nightly", u["run"])
	require.Equal(t, []any{"nightly"}, u["runs"])
	require.Equal(t, 0.0, u["totals"].(map[string]any)["Submitted"])

	release := make(chan struct{})
	q := s.DefaultQueue()
	dagq.Submit(q, func(context.Context) (int, error) { <-release; return 1, nil }, dagq.Name("slow"))
	require.NoError(t, s.Start(bg))
	for u = next(); len(u["running"].([]any)) == 0; u = next() {
	}
	r := u["running"].([]any)[0].(map[string]any)
	require.Equal(t, "slow", r["name"])
	require.Equal(t, "default 1", r["lane"])
	close(release)
	dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("boom") }, dagq.Name("bad"))
	var bars, fails []any
	for u = next(); u["totals"].(map[string]any)["Failed"] != 1.0 || u["totals"].(map[string]any)["Succeeded"] != 1.0; u = next() {
		bars, fails = append(bars, u["bars"].([]any)...), append(fails, u["fails"].([]any)...)
	}
	bars, fails = append(bars, u["bars"].([]any)...), append(fails, u["fails"].([]any)...)
	require.Len(t, bars, 2, "one bar per attempt, each sent once")
	require.Len(t, fails, 1)
	require.Equal(t, "boom", fails[0].(map[string]any)["why"])
	require.Equal(t, 0.0, u["eta"], "nothing left")
	d.Close()
	require.Nil(t, next(), "Close ends the stream")
	code, _ := get(t, d, "/api/tasks")
	require.Equal(t, http.StatusServiceUnavailable, code)
}

func TestSeveralRuns(t *testing.T) {
	a, b := dagq.New(), dagq.New()
	defer func() { require.NoError(t, a.Shutdown(bg)); require.NoError(t, b.Shutdown(bg)) }()
	dagq.Submit(b.DefaultQueue(), func(context.Context) (int, error) { return 1, nil }, dagq.Name("only-in-b"))
	d := dashboard.New(a, quiet, dashboard.WithName("a"), dashboard.WithScheduler("b", b))
	defer d.Close()
	_, body := get(t, d, "/api/tasks?run=b")
	require.Equal(t, []string{"only-in-b"}, names(body["tasks"]))
	_, body = get(t, d, "/api/tasks")
	require.Empty(t, body["tasks"])
	require.Panics(t, func() { dashboard.New(a, dashboard.WithScheduler("run", b)) }, "two runs named run")
	require.Panics(t, func() { dashboard.New(a, dashboard.WithScheduler("b", nil)) })
}

func TestIndexAndAssets(t *testing.T) {
	s := dagq.New()
	defer func() { require.NoError(t, s.Shutdown(bg)) }()
	for _, controls := range []bool{false, true} {
		opts := []dashboard.Option{quiet, dashboard.WithTitle(`<script>alert(1)</script>`)}
		if controls {
			opts = append(opts, dashboard.WithControls(dashboard.AllowAll))
		}
		d := dashboard.New(s, opts...)
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dagq/", nil))
		page := rec.Body.String()
		require.Equal(t, 200, rec.Code)
		require.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'self'")
		require.NotContains(t, page, "<script>alert", "the title is escaped")
		require.Contains(t, page, `<meta name="dagq-controls" content="`+map[bool]string{false: "off", true: "on"}[controls]+`">`)
		require.NotContains(t, page, "http://", "nothing from the network")
		require.NotContains(t, page, "https://")
		for _, a := range []string{"app.js", "app.css"} {
			rec := httptest.NewRecorder()
			d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dagq/assets/"+a, nil))
			require.Equal(t, 200, rec.Code)
			body, _ := io.ReadAll(rec.Body)
			require.NotContains(t, string(body), "https://", a)
		}
		d.Close()
	}
}
