package dashboard_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dashboard"
)

// browser starts headless Chromium (Debian's package, which scripts/test.sh
// installs) and returns a context that drives one tab of it; the test is
// skipped where there is none. The browser is closed with the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil || testing.Short() {
		t.Skip("chromium not installed, or -short")
	}
	ctx, cancel := context.WithTimeout(bg, 3*time.Minute)
	t.Cleanup(cancel)
	return chromium(t, ctx, path)
}

// chromium starts the browser at path, which lives as long as ctx and tb,
// and returns a context that drives one tab of it.
func chromium(tb testing.TB, ctx context.Context, path string) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 1400), chromedp.UserDataDir(tb.TempDir()))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, _ := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = chromedp.Cancel(bctx) // closes the browser and waits for it
		acancel()
	})
	return bctx
}

// text returns the text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(t, err, sel)
	return s
}

// waitFor waits until the page's JavaScript expression js is true.
func waitFor(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(10*time.Millisecond)))
	require.NoError(t, err, js)
}

// follow clicks the link that css selects, once it is on the page, in one
// step of the page's own script: the page redraws its panels as the run
// goes on, so a link that one DevTools call found may be gone at the next.
func follow(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	waitFor(t, ctx, `(() => { const a = document.querySelector(`+strconv.Quote(css)+`); if (!a) return false; a.click(); return true })()`)
}

// enter puts value into the input that css selects as typing does (an
// input event), so that the page's updates leave it until it is set.
func enter(t *testing.T, ctx context.Context, css, value string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.querySelector(`+strconv.Quote(css)+`);
		i.value = `+strconv.Quote(value)+`; i.dispatchEvent(new Event('input', {bubbles: true})); return true })()`))
	require.NoError(t, err, css)
}

// eventually waits until cond holds, checking every few milliseconds,
// as long as ctx allows.
func eventually(t *testing.T, ctx context.Context, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition never held")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// count is the page's JavaScript for the count shown for a status.
func count(status string) string {
	return `Number((document.querySelector('#c-` + status + ` b')||{}).textContent)`
}

// shoot saves a screenshot of the part of the page sel selects; into DAGQ_SCREENSHOTS when set
// (scripts/screenshots.sh sets it to docs/img).
func shoot(t *testing.T, ctx context.Context, name, sel string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('message').className = ''; true`)) // no toast
	require.NoError(t, err)
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(png), "\x89PNG"))
	require.Greater(t, len(png), 20000, "a blank page compresses to less")
	dir := cmpOr(os.Getenv("DAGQ_SCREENSHOTS"), t.TempDir())
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// demo is a run to watch: builds and tests on two queues, a GPU queue on
// two devices, a licence pool, one failure that kills its dependents, and
// a chain held until the test cancels it from the page.
type demo struct {
	s       *dagq.Scheduler
	build   *dagq.Queue
	gate    chan struct{} // closed by release to let the held tasks finish
	release func()
	held    dagq.TaskID // the head of the held chain
	heldDep dagq.TaskID // its dependent
	tasks   int
}

func newDemo(t *testing.T) *demo {
	t.Helper()
	gpu, err := dagq.NewGPU("0,1")
	require.NoError(t, err)
	s := dagq.New(dagq.WithBackend("gpu", gpu), dagq.WithResource("licence", 2), dagq.WithParallelism(8))
	build, err := s.Queue("build", 3)
	require.NoError(t, err)
	test, err := s.Queue("test", 2)
	require.NoError(t, err)
	train, err := s.Queue("train", 2)
	require.NoError(t, err)
	d := &demo{s: s, build: build, gate: make(chan struct{})}
	var once sync.Once
	d.release = func() { once.Do(func() { close(d.gate) }) }
	t.Cleanup(func() {
		d.release() // first: Shutdown waits for the held tasks
		require.NoError(t, s.Shutdown(bg))
	})
	var n atomic.Int64
	work := func(ctx context.Context) (int, error) {
		i := n.Add(1)
		select {
		case <-time.After(time.Duration(20+i%7*15) * time.Millisecond):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return int(i), nil
	}
	held := func(ctx context.Context) (int, error) {
		select {
		case <-d.gate:
			return 1, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	var libs []dagq.Dep
	for i := range 12 {
		libs = append(libs, dagq.Submit(build, work, dagq.Name(fmt.Sprintf("lib%02d", i))))
	}
	compile := dagq.Submit(build, func(context.Context) (int, error) {
		return 0, errors.New("main.go:42: undefined: frobnicate")
	}, dagq.Name("compile-app"), dagq.After(libs[0]))
	dagq.Submit(test, work, dagq.Name("test-app"), dagq.After(compile))
	dagq.Submit(test, work, dagq.Name("bench-app"), dagq.After(compile))
	for i := range 10 {
		dagq.Submit(test, work, dagq.Name(fmt.Sprintf("test-lib%02d", i)), dagq.After(libs[i]), dagq.Uses("licence", 1))
	}
	for i := range 6 {
		dagq.Submit(train, work, dagq.Name(fmt.Sprintf("train-%d", i)), dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: 1}), dagq.Tenant("ml"))
	}
	h := dagq.Submit(build, held, dagq.Name("package"), dagq.After(libs...))
	d.held = h.ID()
	d.heldDep = dagq.Then(build, h, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("publish")).ID()
	for range 2 {
		dagq.Submit(train, held, dagq.Name("train-long"), dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: 1}))
	}
	d.tasks = 12 + 1 + 2 + 10 + 6 + 2 + 2
	return d
}

func serve(t *testing.T, d http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/dagq/", d)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/dagq/"
}

func TestInTheBrowser(t *testing.T) {
	ctx := browser(t)
	run := newDemo(t)
	s := run.s
	d := dashboard.New(s, quiet, dashboard.WithControls(dashboard.AllowAll), dashboard.WithTitle("nightly build"))
	defer d.Close()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(serve(t, d))))
	waitFor(t, ctx, count("submitted")+` === `+strconv.Itoa(run.tasks))
	size, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#queues tr[data-queue="build"] input`)))
	require.NoError(t, err)
	require.Equal(t, "3", size, "the queue table shows the sizes")

	// Pause from the page before anything starts: nothing starts.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pause"))))
	eventually(t, ctx, s.Paused)
	require.NoError(t, s.Start(bg))
	waitFor(t, ctx, `document.body.dataset.state === 'paused'`)
	require.Zero(t, s.Stats().Running)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#resume"))))
	eventually(t, ctx, func() bool { return !s.Paused() })

	// Resize a queue and the parallelism from the page.
	enter(t, ctx, `#queues tr[data-queue="build"] input`, "4")
	enter(t, ctx, "#par", "6")
	waitFor(t, ctx, `document.querySelector('#queues tr[data-queue="build"] input').value === '4' && document.querySelector('#par').value === '6'`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#queues tr[data-queue="build"] button`)),
		chromedp.Click(chromedp.CSS("#setpar"))))
	eventually(t, ctx, func() bool { return run.build.Size() == 4 && s.Parallelism() == 6 })

	// The run goes on until only the held tasks are left: the counts
	// reach the scheduler's, and the failure shows with its reason.
	eventually(t, ctx, func() bool { st := s.Stats(); return st.Running == 3 && st.Queued == 0 })
	st := s.Stats()
	waitFor(t, ctx, fmt.Sprintf(`%s === %d && %s === %d && %s === %d`, count("succeeded"), st.Succeeded, count("failed"), st.Failed, count("killed"), st.Killed))
	require.Equal(t, 1, st.Failed)
	require.Equal(t, 2, st.Killed)
	waitFor(t, ctx, `document.querySelector('#fails').textContent.includes('undefined: frobnicate')`)
	waitFor(t, ctx, `document.querySelectorAll('#tasks tbody tr').length === 50 || document.querySelectorAll('#tasks tbody tr').length === `+strconv.Itoa(run.tasks))
	waitFor(t, ctx, `document.querySelector('#tasks').textContent.includes('failed')`)
	shoot(t, ctx, "dashboard.png", "body")

	// A killed task's page names its culprit, linked.
	test, _ := s.Lookup("test-app")
	follow(t, ctx, fmt.Sprintf(`#fails a[href="#task=%d"]`, test.ID))
	waitFor(t, ctx, `!document.querySelector('#task').hidden && document.querySelector('#tinfo').textContent.includes('dependency "compile-app"')`)
	compile, _ := s.Lookup("compile-app")
	follow(t, ctx, fmt.Sprintf(`#tinfo a[href="#task=%d"]`, compile.ID))
	waitFor(t, ctx, `document.querySelector('#tinfo').textContent.includes('main.go:42: undefined: frobnicate')`)
	waitFor(t, ctx, `document.querySelectorAll('#graph .gnode').length === 4`) // lib00 → compile-app → test-app, bench-app

	// Cancel the held chain from its page: the page says what it kills,
	// then it is killed with its dependent.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`location.hash = '#task=%d'; true`, run.held)))
	require.NoError(t, err)
	waitFor(t, ctx, `document.querySelector('#kills') && !document.querySelector('#tcancel').hidden`)
	require.Contains(t, text(t, ctx, "#kills"), "kills 2 tasks")
	shoot(t, ctx, "dashboard-task.png", "#task")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#cancel"))))
	require.Equal(t, dagq.Running, status(s, run.held), "the first click only arms the button")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#cancel"))))
	eventually(t, ctx, func() bool { return status(s, run.heldDep) == dagq.Killed })

	// An update reaches the page within about one interval of the event.
	run.release()
	done := time.Now()
	require.ErrorContains(t, s.Wait(bg), "1 of 35 tasks failed, 4 killed")
	final := s.Stats()
	waitFor(t, ctx, fmt.Sprintf(`%s === %d && %s === %d`, count("succeeded"), final.Succeeded, count("killed"), final.Killed))
	t.Logf("the last tasks' end reached the page %v after their release", time.Since(done))
	waitFor(t, ctx, `document.body.dataset.state === 'idle'`)

	// How long a task's end takes to show, on an idle scheduler: at most
	// about one interval (250 ms) plus the page's work.
	var worst time.Duration
	for i := range 5 {
		at := time.Now()
		dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return i, nil })
		waitFor(t, ctx, fmt.Sprintf(`%s === %d`, count("succeeded"), final.Succeeded+i+1))
		worst = max(worst, time.Since(at))
	}
	t.Logf("a task's end reached the page within %v (worst of 5)", worst)
}

func status(s *dagq.Scheduler, id dagq.TaskID) dagq.Status {
	t, _ := s.Task(id)
	return t.Status
}

func TestInTheBrowserReadOnly(t *testing.T) {
	ctx := browser(t)
	s := dagq.New()
	defer func() { require.NoError(t, s.Shutdown(bg)) }()
	dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 1, nil }, dagq.Name("only"))
	for _, c := range []struct {
		name string
		opts []dashboard.Option
	}{
		{"read-only", nil},
		{"unauthorised", []dashboard.Option{dashboard.WithControls(func(*http.Request) bool { return false })}},
	} {
		d := dashboard.New(s, append(c.opts, quiet)...)
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(serve(t, d))))
		waitFor(t, ctx, count("submitted")+` === 1`)
		if c.name == "read-only" {
			waitFor(t, ctx, `document.querySelector('#controls').hidden && !document.querySelector('#queues input')`)
		}
		// The page's own script, token and origin included, is refused.
		code, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch('api/control', {method: 'POST',
			headers: {'Content-Type': 'application/json', 'X-Dagq-Token': document.querySelector('meta[name=dagq-token]').content},
			body: JSON.stringify({action: 'pause'})}).then(r => r.status)`, chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		require.Equal(t, http.StatusForbidden, code, c.name)
		require.False(t, s.Paused(), c.name)
		d.Close()
	}
}
