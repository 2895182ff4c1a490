package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dagq/dagq"
)

// chaosLane is one queue of the chaos test and the backend its tasks run
// on (nil: Local). A lane on another backend is one more line in
// chaosLanes.
type chaosLane struct {
	queue   string
	size    int
	backend dagq.Backend
	needs   int // devices each task needs, for Capacity backends
}

func chaosLanes(seed uint64) []chaosLane {
	return []chaosLane{
		{queue: "cpu", size: 4},
		{queue: "io", size: 3, backend: newFlaky(seed)},
		{queue: "dev", size: 2, backend: newSlots(2), needs: 1},
		{queue: "sim", size: 3, backend: dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{Duration: 200 * time.Microsecond, RunFunc: true}))},
	}
}

// flaky is a backend with latency (virtual under synctest) that answers
// ErrBackendBusy to a few jobs before starting them.
type flaky struct {
	mu   sync.Mutex
	rng  *rand.Rand
	busy atomic.Int64
}

func newFlaky(seed uint64) *flaky { return &flaky{rng: rand.New(rand.NewPCG(seed, 7))} }

func (f *flaky) Run(ctx context.Context, job *dagq.Job) (any, error) {
	f.mu.Lock()
	r, d := f.rng.Float64(), time.Duration(f.rng.IntN(300))*time.Microsecond
	f.mu.Unlock()
	if r < 0.03 {
		f.busy.Add(1)
		return nil, dagq.ErrBackendBusy
	}
	if err := pause(ctx, d); err != nil {
		return nil, err
	}
	return dagq.Local().Run(ctx, job)
}

// pause sleeps d, or less if ctx ends first.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// fate is what a chaos task's body does.
type fate uint8

const (
	succeed fate = iota
	fail         // returns errInjected on every attempt
	panics       // panics on every attempt
	flakes       // fails its first attempt, then succeeds (it has a retry)
)

var errInjected = errors.New("injected failure")

// chaosTask is one submitted task and what the test expects of it.
type chaosTask struct {
	f    *dagq.Future[int]
	want int // its value if it succeeds
	fate fate
}

// injected counts what the chaos test did to the scheduler.
type injected struct {
	failures, panics, cancels, pauses, resizes, specs atomic.Int64
}

// body returns the function of a task with fate ft that sleeps d and
// returns want.
func (in *injected) body(ft fate, d time.Duration, want int) func(context.Context) (int, error) {
	var attempts atomic.Int32
	return func(ctx context.Context) (int, error) {
		if err := pause(ctx, d); err != nil {
			return 0, err
		}
		switch a := attempts.Add(1); {
		case ft == fail, ft == flakes && a == 1:
			in.failures.Add(1)
			return 0, errInjected
		case ft == panics:
			in.panics.Add(1)
			panic(fmt.Sprintf("injected panic, attempt %d", a))
		}
		return want, nil
	}
}

// chaosGraph is the tasks submitted so far, shared by the submitters.
type chaosGraph struct {
	mu    sync.Mutex
	tasks []chaosTask
	specs []string // names of spec tasks
}

func (g *chaosGraph) add(t chaosTask) {
	g.mu.Lock()
	g.tasks = append(g.tasks, t)
	g.mu.Unlock()
}

// pick returns up to k tasks submitted so far, mostly recent ones (so that
// dependencies are often still pending).
func (g *chaosGraph) pick(rng *rand.Rand, k int) []chaosTask {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := len(g.tasks)
	if n == 0 {
		return nil
	}
	out := make([]chaosTask, 0, k)
	for range k {
		lo := 0
		if rng.IntN(10) < 7 {
			lo = max(0, n-200)
		}
		out = append(out, g.tasks[lo+rng.IntN(n-lo)])
	}
	return out
}

// submitOne submits a random task on a random lane.
func (in *injected) submitOne(rng *rand.Rand, g *chaosGraph, lanes []chaosLane, queues []*dagq.Queue, seq int) {
	l := rng.IntN(len(lanes))
	q := queues[l]
	var opts []dagq.TaskOption
	if lanes[l].backend != nil {
		opts = append(opts, dagq.OnBackend(lanes[l].queue))
	}
	if lanes[l].needs > 0 {
		opts = append(opts, dagq.Needs(dagq.Resources{GPUs: lanes[l].needs}))
	}
	if rng.IntN(20) == 0 {
		opts = append(opts, dagq.Uses("mem", 1+rng.IntN(3)))
	}
	ft := succeed
	switch r := rng.IntN(1000); {
	case r < 50:
		ft = fail
	case r < 60:
		ft = panics
	case r < 90:
		ft = flakes
		opts = append(opts, dagq.Retry(1, time.Millisecond))
	}
	var d time.Duration
	if rng.IntN(10) < 4 {
		d = time.Duration(rng.IntN(2000)) * time.Microsecond
	}
	deps := g.pick(rng, rng.IntN(4))
	if len(deps) == 1 && rng.IntN(2) == 0 {
		want := deps[0].want + 1
		body := in.body(ft, d, want)
		f := dagq.Then(q, deps[0].f, func(ctx context.Context, v int) (int, error) {
			if v+1 != want {
				return 0, fmt.Errorf("dependency value %d, want %d", v, want-1)
			}
			return body(ctx)
		}, opts...)
		g.add(chaosTask{f: f, want: want, fate: ft})
		return
	}
	ds := make([]dagq.Dep, len(deps))
	for i, d := range deps {
		ds[i] = d.f
	}
	opts = append(opts, dagq.After(ds...))
	switch r := rng.IntN(10); {
	case r == 0:
		opts = append(opts, dagq.Trigger(dagq.AnySucceeded))
	case r == 1:
		opts = append(opts, dagq.Trigger(dagq.AllDone))
	}
	g.add(chaosTask{f: dagq.Submit(q, in.body(ft, d, seq), opts...), want: seq, fate: ft})
}

// addSpecs adds a chain of two specs, the first depending on the last
// spec added before (if any), through Scheduler.Add.
func (in *injected) addSpecs(s *dagq.Scheduler, g *chaosGraph, who, seq int) error {
	g.mu.Lock()
	var deps []string
	if n := len(g.specs); n > 0 {
		deps = []string{g.specs[n-1]}
	}
	g.mu.Unlock()
	a, b := fmt.Sprintf("spec-%d-%d-a", who, seq), fmt.Sprintf("spec-%d-%d-b", who, seq)
	run := func(context.Context) error { return nil }
	err := s.Add(
		dagq.Spec{Name: a, Deps: deps, Queue: "cpu", Run: run},
		dagq.Spec{Name: b, Deps: []string{a}, Queue: "cpu", Run: run},
	)
	if err != nil {
		return err
	}
	in.specs.Add(2)
	g.mu.Lock()
	g.specs = append(g.specs, b)
	g.mu.Unlock()
	return nil
}
