package dagq_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// The features crossed with every backend kind: keys, retries, timeouts,
// pause/resume and cancel, each on Local, Fake, Exec, GPU over Local,
// Exec and Fake, and Pull, with the Checker on every run. Tasks leave a line
// in a file per run, so that one oracle counts runs of functions and of
// commands alike.

// act is what a task of the matrix does.
type act int

const (
	actOnce  act = iota // succeed, recording the run
	actFlaky            // fail the first run, succeed after, recording each
	actLong             // run until cancelled
)

// featureKind is a backend kind: how to configure it and submit a task.
type featureKind struct {
	name string
	exec bool // tasks are commands, run in real time
	opts func(t *testing.T) ([]dagq.Option, []dagq.TaskOption, puller)
}

// feature is a task of the matrix: its future's common methods.
type feature interface {
	dagq.Dep
	ID() dagq.TaskID
	Status() dagq.Status
	Info() dagq.TaskInfo
}

func featureKinds() []featureKind {
	gpu := func(t *testing.T, inner dagq.Backend) ([]dagq.Option, []dagq.TaskOption, puller) {
		g, err := dagq.NewGPU("0,1", dagq.WithInner(inner))
		require.NoError(t, err)
		return []dagq.Option{dagq.WithBackend("gpu", g)}, []dagq.TaskOption{dagq.OnBackend("gpu"), dagq.Needs(dagq.Resources{GPUs: 1})}, nil
	}
	return []featureKind{
		{"local", false, func(*testing.T) ([]dagq.Option, []dagq.TaskOption, puller) { return nil, nil, nil }},
		{"fake", false, func(*testing.T) ([]dagq.Option, []dagq.TaskOption, puller) {
			f := dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{Duration: time.Second, RunFunc: true}))
			return []dagq.Option{dagq.WithBackend("fake", f)}, []dagq.TaskOption{dagq.OnBackend("fake")}, nil
		}},
		{"exec", true, func(*testing.T) ([]dagq.Option, []dagq.TaskOption, puller) {
			return []dagq.Option{dagq.WithBackend("exec", dagq.Exec(dagq.ExecGrace(50*time.Millisecond)))}, nil, nil
		}},
		{"gpu-local", false, func(t *testing.T) ([]dagq.Option, []dagq.TaskOption, puller) { return gpu(t, dagq.Local()) }},
		{"gpu-exec", true, func(t *testing.T) ([]dagq.Option, []dagq.TaskOption, puller) {
			return gpu(t, dagq.Exec(dagq.ExecGrace(50*time.Millisecond)))
		}},
		{"gpu-fake", false, func(t *testing.T) ([]dagq.Option, []dagq.TaskOption, puller) {
			return gpu(t, dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{Duration: time.Second, RunFunc: true})))
		}},
		{"pull", false, func(*testing.T) ([]dagq.Option, []dagq.TaskOption, puller) {
			p := dagq.NewPull()
			return []dagq.Option{dagq.WithBackend("pull", p)}, []dagq.TaskOption{dagq.OnBackend("pull")}, p
		}},
		{"user-pull", false, func(*testing.T) ([]dagq.Option, []dagq.TaskOption, puller) {
			p := newUserPull()
			return []dagq.Option{dagq.WithBackend("pull", p)}, []dagq.TaskOption{dagq.OnBackend("pull")}, p
		}},
	}
}

// featureRun is one cell's scheduler, queue and scratch directory.
type featureRun struct {
	t    *testing.T
	kind featureKind
	s    *dagq.Scheduler
	q    *dagq.Queue
	dir  string
	to   []dagq.TaskOption
}

// task submits a task named name that does a, with opts.
func (r *featureRun) task(name string, a act, opts ...dagq.TaskOption) feature {
	log := filepath.Join(r.dir, name)
	opts = append(append(append([]dagq.TaskOption(nil), r.to...), dagq.Name(name)), opts...)
	if r.kind.exec {
		script := map[act]string{
			actOnce:  `echo run >> "$1"`,
			actFlaky: `echo run >> "$1"; test -f "$1.ok" || { touch "$1.ok"; exit 1; }`,
			actLong:  `exec sleep 30`,
		}[a]
		return dagq.Command(r.q, []string{"sh", "-c", script, "sh", log}, opts...)
	}
	return dagq.Submit(r.q, func(ctx context.Context) (int, error) {
		if a == actLong {
			<-ctx.Done()
			return 0, context.Cause(ctx)
		}
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return 0, err
		}
		_, err = f.WriteString("run\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if a == actFlaky {
			if _, serr := os.Stat(log + ".ok"); serr != nil {
				return 0, errors.Join(os.WriteFile(log+".ok", nil, 0o600), errors.New("flaky: first run fails"))
			}
		}
		return 1, err
	}, opts...)
}

// runs counts the runs of the task named name.
func (r *featureRun) runs(name string) int {
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	require.NoError(r.t, err)
	return strings.Count(string(b), "run\n")
}

// settle waits until every goroutine of the run is blocked (functions, in
// virtual time) or until f is Running (commands, in real time).
func (r *featureRun) settle(f feature) {
	if !r.kind.exec {
		synctest.Wait()
		return
	}
	require.Eventually(r.t, func() bool { return f == nil || f.Status() == dagq.Running }, time.Minute, 5*time.Millisecond)
}

// featureCell runs body with a fresh scheduler of kind, checked by a
// Checker, in a synctest bubble unless tasks are commands.
func featureCell(t *testing.T, kind featureKind, body func(r *featureRun)) {
	cell := func(t *testing.T) {
		opts, to, pull := kind.opts(t)
		c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"q": 4}})
		s := dagq.New(append(opts, dagq.WithObserver(c))...)
		q, err := s.Queue("q", 4)
		require.NoError(t, err)
		_, stop := serving(t.Context(), pull)
		body(&featureRun{t: t, kind: kind, s: s, q: q, dir: t.TempDir(), to: to})
		require.NoError(t, s.Shutdown(context.Background()))
		stop()
		require.Zero(t, s.Stats().Pending())
		c.Verify(t)
	}
	if kind.exec {
		cell(t)
		return
	}
	synctest.Test(t, cell)
}

func TestFeaturesOnEveryBackendKind(t *testing.T) {
	t.Parallel()
	features := map[string]func(r *featureRun){
		// Three tasks with one key: one runs, the others are Cached; a
		// fourth after the success is Cached at once.
		"key": func(r *featureRun) {
			a := r.task("a", actOnce, dagq.Key("k"))
			b := r.task("b", actOnce, dagq.Key("k"))
			c := r.task("c", actOnce, dagq.Key("k"))
			require.NoError(r.t, r.s.Run(r.t.Context()))
			d := r.task("d", actOnce, dagq.Key("k"))
			require.NoError(r.t, r.s.Run(r.t.Context()))
			runs := 0
			for _, f := range []feature{a, b, c, d} {
				require.Equal(r.t, dagq.Succeeded, f.Status())
				runs += r.runs(f.Info().Name)
			}
			require.Equal(r.t, 1, runs, "the key ran once")
			require.True(r.t, d.Info().Cached)
		},
		// A task that fails once succeeds on its retry, in two attempts.
		"retry": func(r *featureRun) {
			f := r.task("flaky", actFlaky, dagq.Retry(2, time.Millisecond))
			require.NoError(r.t, r.s.Run(r.t.Context()))
			require.Equal(r.t, dagq.Succeeded, f.Status())
			require.Equal(r.t, 2, f.Info().Attempts)
			require.Equal(r.t, 2, r.runs("flaky"))
		},
		// A task that outlives its Timeout fails with DeadlineExceeded;
		// its dependent is killed, its AllDone cleanup runs.
		"timeout": func(r *featureRun) {
			f := r.task("long", actLong, dagq.Timeout(200*time.Millisecond))
			next := r.task("next", actOnce, dagq.After(f))
			cleanup := r.task("cleanup", actOnce, dagq.After(f), dagq.Trigger(dagq.AllDone))
			require.Error(r.t, r.s.Run(r.t.Context()))
			require.Equal(r.t, dagq.Failed, f.Status())
			require.ErrorIs(r.t, f.Info().Err, context.DeadlineExceeded)
			require.Equal(r.t, dagq.Killed, next.Status())
			require.Equal(r.t, dagq.Succeeded, cleanup.Status())
			require.Equal(r.t, 0, r.runs("next"))
		},
		// Paused before Start, nothing starts; after Resume everything
		// runs once.
		"pause": func(r *featureRun) {
			r.s.Pause()
			fs := []feature{r.task("p0", actOnce), r.task("p1", actOnce), r.task("p2", actOnce, dagq.After())}
			require.NoError(r.t, r.s.Start(r.t.Context()))
			r.settle(nil)
			require.Zero(r.t, r.s.Stats().Running, "nothing starts while paused")
			r.s.Resume()
			require.NoError(r.t, r.s.Wait(r.t.Context()))
			for _, f := range fs {
				require.Equal(r.t, dagq.Succeeded, f.Status())
				require.Equal(r.t, 1, r.runs(f.Info().Name))
			}
		},
		// Cancelling a running task kills it and its dependents at once;
		// its AllDone cleanup runs once the attempt returned.
		"cancel": func(r *featureRun) {
			f := r.task("long", actLong)
			next := r.task("next", actOnce, dagq.After(f))
			cleanup := r.task("cleanup", actOnce, dagq.After(f), dagq.Trigger(dagq.AllDone))
			require.NoError(r.t, r.s.Start(r.t.Context()))
			r.settle(f)
			r.s.Cancel(f.ID(), "enough")
			require.Equal(r.t, dagq.Killed, f.Status())
			require.Equal(r.t, dagq.Killed, next.Status())
			require.Error(r.t, r.s.Wait(r.t.Context()))
			require.Equal(r.t, dagq.Succeeded, cleanup.Status())
			require.Equal(r.t, 0, r.runs("next"))
			require.Contains(r.t, f.Info().Reason, "enough")
		},
	}
	for _, kind := range featureKinds() {
		for name, body := range features {
			t.Run(name+"/"+kind.name, func(t *testing.T) { featureCell(t, kind, body) })
		}
	}
}
