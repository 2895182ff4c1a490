package dashboard_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dashboard"
)

// tokenOf reads the controls' token from the dashboard's page.
func tokenOf(t *testing.T, d http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	m := regexp.MustCompile(`name="dagq-token" content="([0-9a-f]{32})"`).FindStringSubmatch(rec.Body.String())
	require.NotNil(t, m)
	return m[1]
}

// post sends a control request the way the page does, changed by edit.
func post(d http.Handler, token, body string, edit func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "http://example.com/dagq/api/control", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Dagq-Token", token)
	r.Header.Set("Origin", "http://example.com")
	if edit != nil {
		edit(r)
	}
	rec := httptest.NewRecorder()
	d.ServeHTTP(rec, r)
	return rec
}

// steered is a scheduler with a paused-able queue "build" of size 2 and a
// chain a → b → c that has not started.
func steered(t *testing.T) (*dagq.Scheduler, *dagq.Queue, [3]dagq.TaskID) {
	t.Helper()
	s := dagq.New(dagq.WithParallelism(4))
	t.Cleanup(func() { require.NoError(t, s.Shutdown(bg)) })
	q, err := s.Queue("build", 2)
	require.NoError(t, err)
	a := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("a"))
	b := dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("b"))
	c := dagq.Then(q, b, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("c"))
	return s, q, [3]dagq.TaskID{a.ID(), b.ID(), c.ID()}
}

func TestControlsRefusedChangeNothing(t *testing.T) {
	allow := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer ok" }
	authed := func(r *http.Request) { r.Header.Set("Authorization", "Bearer ok") }
	for _, c := range []struct {
		name string
		opts []dashboard.Option
		edit func(*http.Request)
		code int
		err  string
	}{
		{"read-only", nil, authed, 403, "controls are off"},
		{"nil hook", []dashboard.Option{dashboard.WithControls(nil)}, authed, 403, "not authorised"},
		{"hook says no", []dashboard.Option{dashboard.WithControls(allow)}, nil, 403, "not authorised"},
		{"hook panics", []dashboard.Option{dashboard.WithControls(func(*http.Request) bool { panic("bad hook") })}, nil, 403, "not authorised"},
		{"no token", []dashboard.Option{dashboard.WithControls(allow)}, func(r *http.Request) { authed(r); r.Header.Del("X-Dagq-Token") }, 403, "X-Dagq-Token"},
		{"wrong token", []dashboard.Option{dashboard.WithControls(allow)}, func(r *http.Request) { authed(r); r.Header.Set("X-Dagq-Token", strings.Repeat("0", 32)) }, 403, "X-Dagq-Token"},
		{"other origin", []dashboard.Option{dashboard.WithControls(allow)}, func(r *http.Request) { authed(r); r.Header.Set("Origin", "http://evil.example") }, 403, "cross-origin"},
		{"other referer", []dashboard.Option{dashboard.WithControls(allow)}, func(r *http.Request) {
			authed(r)
			r.Header.Del("Origin")
			r.Header.Set("Referer", "http://evil.example/page")
		}, 403, "cross-origin"},
		{"form body", []dashboard.Option{dashboard.WithControls(allow)}, func(r *http.Request) {
			authed(r)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}, 415, "JSON body"},
		{"GET", []dashboard.Option{dashboard.WithControls(allow)}, func(r *http.Request) { authed(r); r.Method = http.MethodGet }, 405, "POST"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, q, _ := steered(t)
			d := dashboard.New(s, append(c.opts, quiet)...)
			defer d.Close()
			for _, body := range []string{`{"action":"pause"}`, `{"action":"parallelism","n":1}`, `{"action":"resize","queue":"build","n":1}`} {
				rec := post(d, tokenOf(t, d), body, c.edit)
				require.Equal(t, c.code, rec.Code, body)
				require.Contains(t, rec.Body.String(), c.err, body)
			}
			require.False(t, s.Paused())
			require.Equal(t, 4, s.Parallelism())
			require.Equal(t, 2, q.Size())
		})
	}
}

func TestControls(t *testing.T) {
	s, q, ids := steered(t)
	d := dashboard.New(s, quiet, dashboard.WithControls(dashboard.AllowAll))
	defer d.Close()
	tok := tokenOf(t, d)
	ok := func(body, want string) {
		t.Helper()
		rec := post(d, tok, body, nil)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), want)
	}
	ok(`{"action":"pause"}`, "paused")
	require.True(t, s.Paused())
	ok(`{"action":"resume"}`, "resumed")
	require.False(t, s.Paused())
	ok(`{"action":"parallelism","n":0}`, "parallelism 0")
	require.Equal(t, 0, s.Parallelism())
	ok(`{"action":"resize","queue":"build","n":7}`, "queue build size 7")
	require.Equal(t, 7, q.Size())
	require.Equal(t, dagq.TaskID(2), ids[1])
	ok(`{"action":"cancel","id":2,"reason":"flaky"}`, "cancelled b")
	b, _ := s.Task(ids[1])
	c, _ := s.Task(ids[2])
	require.Equal(t, dagq.Killed, b.Status)
	require.Contains(t, b.Reason, "cancelled from the dashboard: flaky")
	require.Equal(t, dagq.Killed, c.Status, "and its dependents")
	a, _ := s.Task(ids[0])
	require.Equal(t, dagq.Queued, a.Status, "not its dependency")

	for _, bad := range []struct {
		body string
		code int
		err  string
	}{
		{`{"action":"cancel","id":2}`, 409, "task b already killed"},
		{`{"action":"cancel","id":99}`, 404, "no task with id 99"},
		{`{"action":"resize","queue":"nope","n":3}`, 404, `no queue named "nope"`},
		{`{"action":"resize","queue":"build","n":0}`, 400, "size 0: want 1 to"},
		{`{"action":"resize","queue":"build","n":99999999}`, 400, "size 99999999"},
		{`{"action":"parallelism","n":-1}`, 400, "parallelism -1"},
		{`{"action":"explode"}`, 400, `unknown action "explode"`},
		{`{"action":"pause","extra":1}`, 400, "unknown field"},
		{`{"action":`, 400, "body:"},
		{`{"action":"pause","id":"x"}`, 400, "body:"},
		{`{"action":"pause","reason":"` + strings.Repeat("x", 5000) + `"}`, 400, "too large"},
	} {
		rec := post(d, tok, bad.body, nil)
		require.Equal(t, bad.code, rec.Code, bad.body)
		var e struct{ Error string }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
		require.Contains(t, e.Error, bad.err, bad.body)
	}
	require.Equal(t, 7, q.Size())
	require.Equal(t, 0, s.Parallelism())
	require.False(t, s.Paused())
	require.Equal(t, http.StatusNotFound, post(d, tok, `{"action":"pause"}`, func(r *http.Request) {
		r.URL.RawQuery = "run=other"
	}).Code)
	require.ErrorIs(t, s.Run(bg), dagq.ErrKilled)
}
