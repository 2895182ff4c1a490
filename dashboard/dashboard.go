package dashboard

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dagq/dagq"
)

// Dashboard is an [http.Handler] serving the page and its API for one or
// more schedulers. Mount it under any path ending in a slash:
//
//	http.Handle("/dagq/", dashboard.New(s))
//
// or strip the prefix first; every link of the page is relative. Call
// Close when done with it: it detaches from the schedulers and ends the
// open pages' streams.
type Dashboard struct {
	cfg     config
	watches []*watch
	byName  map[string]*watch
	token   string        // the controls' anti-forgery token
	done    chan struct{} // closed by Close
	close   sync.Once
}

// config is what the options set.
type config struct {
	name      string
	others    []named
	interval  time.Duration
	controls  bool
	authorize func(*http.Request) bool
	logs      func(dagq.TaskInfo) string
	logger    *slog.Logger
	title     string
}

type named struct {
	name string
	s    *dagq.Scheduler
}

// Option configures a Dashboard.
type Option func(*config)

// WithName names the scheduler given to [New] on the page ("run" by
// default).
func WithName(name string) Option { return func(c *config) { c.name = name } }

// WithScheduler adds another scheduler, shown under name; the page has a
// selector when there are several. A name already used is refused by New
// with a panic, as a programming error.
func WithScheduler(name string, s *dagq.Scheduler) Option {
	return func(c *config) { c.others = append(c.others, named{name, s}) }
}

// WithInterval sets how often at most an open page gets an update (250 ms
// by default; from 50 ms to 10 s): whatever the event rate, a page costs
// one update per interval, and an event shows within about one interval.
func WithInterval(d time.Duration) Option {
	return func(c *config) { c.interval = min(max(d, 50*time.Millisecond), 10*time.Second) }
}

// WithControls enables the page's controls: pause and resume, cancelling a
// task, resizing a queue and changing the parallelism. Each control
// request must pass authorize (called with the request; true allows it),
// besides the same-origin and token checks of the package documentation.
// A nil authorize refuses every control. When the application already
// authenticates and authorises every request with middleware wrapped
// around the handler, pass [AllowAll].
func WithControls(authorize func(*http.Request) bool) Option {
	return func(c *config) {
		c.controls = true
		c.authorize = authorize
	}
}

// AllowAll authorises every control request. Use it with [WithControls]
// only behind the application's own authorising middleware.
func AllowAll(*http.Request) bool { return true }

// WithLogs tells the task page where a task's log is: path returns the
// file of the task's last attempt ("" for none), such as the name given to
// [dagq.ExecLogName] under [dagq.ExecLogDir]. The page shows its last 16
// KiB.
func WithLogs(path func(dagq.TaskInfo) string) Option { return func(c *config) { c.logs = path } }

// WithLogger sets where control actions and refusals are logged
// (slog.Default by default).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithTitle sets the page's title ("dagq" by default).
func WithTitle(title string) Option { return func(c *config) { c.title = title } }

// New returns a dashboard for s (and the schedulers of [WithScheduler]).
// It starts watching at once: the task stream and the failures list hold
// what happened from then on; counts, the task table and task pages hold
// everything.
func New(s *dagq.Scheduler, opts ...Option) *Dashboard {
	cfg := config{name: "run", interval: 250 * time.Millisecond, title: "dagq"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	var tok [16]byte
	_, _ = rand.Read(tok[:]) // crypto/rand.Read never fails
	d := &Dashboard{cfg: cfg, byName: map[string]*watch{}, token: hex.EncodeToString(tok[:]), done: make(chan struct{})}
	for _, n := range append([]named{{cfg.name, s}}, cfg.others...) {
		if n.s == nil || d.byName[n.name] != nil {
			d.Close()
			panic(fmt.Sprintf("dashboard: New: scheduler %q is nil or named twice", n.name))
		}
		w := newWatch(n.name, n.s)
		d.watches = append(d.watches, w)
		d.byName[n.name] = w
	}
	return d
}

// Close detaches the dashboard from its schedulers and ends the streams of
// open pages; it then serves errors. Safe to call more than once.
func (d *Dashboard) Close() {
	d.close.Do(func() {
		close(d.done)
		for _, w := range d.watches {
			w.remove()
		}
	})
}

// ServeHTTP serves the page (a path ending in "/"), its assets, the event
// stream and the API. See docs/observability.md for the endpoints.
func (d *Dashboard) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	route, ok := d.route(r.URL.Path)
	select {
	case <-d.done:
		http.Error(rw, "dashboard closed", http.StatusServiceUnavailable)
		return
	default:
	}
	if !ok {
		http.NotFound(rw, r)
		return
	}
	if route == "control" {
		d.serveControl(rw, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		rw.Header().Set("Allow", "GET, HEAD")
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch route {
	case "index":
		d.serveIndex(rw, r)
	case "events":
		d.serveEvents(rw, r)
	case "tasks":
		d.serveTasks(rw, r)
	case "task":
		d.serveTask(rw, r)
	case "graph":
		d.serveGraph(rw, r)
	default:
		serveAsset(rw, r, strings.TrimPrefix(route, "assets/"))
	}
}

// route maps a request path to what serves it, wherever the dashboard is
// mounted: the index for a path ending in "/", else the path's last one
// or two elements ("api/tasks", "assets/app.js").
func (d *Dashboard) route(path string) (string, bool) {
	if strings.HasSuffix(path, "/") {
		return "index", true
	}
	parts := strings.Split(path, "/")
	if len(parts) < 2 {
		return "", false
	}
	last, dir := parts[len(parts)-1], parts[len(parts)-2]
	switch {
	case dir == "api" && (last == "events" || last == "tasks" || last == "task" || last == "graph" || last == "control"):
		return last, true
	case dir == "assets" && isAsset(last):
		return "assets/" + last, true
	}
	return "", false
}

// watchOf returns the watch the request names with ?run= (the first one
// when it names none).
func (d *Dashboard) watchOf(r *http.Request) (*watch, error) {
	name := r.URL.Query().Get("run")
	if name == "" {
		return d.watches[0], nil
	}
	if w := d.byName[name]; w != nil {
		return w, nil
	}
	return nil, fmt.Errorf("no run named %q", truncate(name, 64))
}

// truncate cuts s to n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
