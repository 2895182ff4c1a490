package dagq

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Fake is a deterministic backend for tests and for simulating a schedule
// before running it for real. Each job follows a [FakeScript]: wait for a
// duration, then return a value, an error or panic, or hang until
// cancelled. Durations are timers, so inside a testing/synctest bubble
// they are virtual: a ten-hour pipeline simulates in milliseconds, and
// every run starts and ends at exact, repeatable times.
//
// Fake records every run ([Fake.Runs]) and reports the makespan
// ([Fake.Makespan]). It is safe for concurrent use. Wrap it in a [GPU]
// backend (with [WithInner]) to simulate device assignment.
type Fake struct {
	byName map[string]FakeScript
	fn     func(*Job) FakeScript
	def    FakeScript

	mu   sync.Mutex // guards runs
	runs []FakeRun
}

// FakeScript says what a [Fake] does with one job. The zero FakeScript
// succeeds at once with a nil value.
type FakeScript struct {
	Duration time.Duration // how long the job runs (a timer; virtual under synctest)
	Value    any           // the value returned on success; it must have the task's type (nil = zero value)
	Err      error         // if set, the job fails with it after Duration
	Panic    any           // if set, the job panics with it after Duration
	Hang     bool          // run until the task is cancelled, killed or times out
	RunFunc  bool          // after Duration, run the job's function (as [Local]) for its outcome
}

// FakeRun is one run recorded by a [Fake].
type FakeRun struct {
	ID      TaskID
	Task    string // the task's name
	Attempt int
	Start   time.Time
	End     time.Time
	Devices []string // as assigned by a Capacity backend wrapping the Fake
	Err     error    // the run's error, nil if it succeeded (a panic is a *PanicError)
}

// FakeOption configures [NewFake].
type FakeOption interface {
	applyFake(*Fake)
	String() string
}

type fakeTaskOption struct {
	name string
	sc   FakeScript
}

func (o fakeTaskOption) applyFake(f *Fake) { f.byName[o.name] = o.sc }
func (o fakeTaskOption) String() string    { return fmt.Sprintf("FakeTask(%q, %+v)", o.name, o.sc) }

// FakeTask scripts the tasks named name. It takes precedence over
// [FakeFunc] and [FakeDefault].
func FakeTask(name string, sc FakeScript) FakeOption { return fakeTaskOption{name, sc} }

type fakeFuncOption struct{ fn func(*Job) FakeScript }

func (o fakeFuncOption) applyFake(f *Fake) { f.fn = o.fn }
func (o fakeFuncOption) String() string    { return "FakeFunc(...)" }

// FakeFunc scripts every job that no [FakeTask] names by calling fn, for
// instance by job.Attempt to fail only the first attempt. fn is called
// from many goroutines at once and must not block.
func FakeFunc(fn func(job *Job) FakeScript) FakeOption { return fakeFuncOption{fn} }

type fakeDefaultOption FakeScript

func (o fakeDefaultOption) applyFake(f *Fake) { f.def = FakeScript(o) }
func (o fakeDefaultOption) String() string    { return fmt.Sprintf("FakeDefault(%+v)", FakeScript(o)) }

// FakeDefault scripts the jobs that neither [FakeTask] nor [FakeFunc]
// covers; without it they succeed at once.
func FakeDefault(sc FakeScript) FakeOption { return fakeDefaultOption(sc) }

// NewFake returns a Fake backend following the given scripts.
func NewFake(opts ...FakeOption) *Fake {
	f := &Fake{byName: map[string]FakeScript{}}
	for _, o := range opts {
		if o != nil {
			o.applyFake(f)
		}
	}
	return f
}

// script returns what f does with job.
func (f *Fake) script(job *Job) FakeScript {
	if sc, ok := f.byName[job.Name]; ok {
		return sc
	}
	if f.fn != nil {
		return f.fn(job)
	}
	return f.def
}

// Run plays job's script and records the run. It blocks for the script's
// Duration (or, for Hang, until ctx ends); if ctx ends first it returns
// ctx's cause.
func (f *Fake) Run(ctx context.Context, job *Job) (v any, err error) {
	sc := f.script(job)
	r := FakeRun{ID: job.ID, Task: job.Name, Attempt: job.Attempt, Start: time.Now(), Devices: slices.Clone(job.Devices)}
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p}
			f.record(r, err)
			panic(p)
		}
		f.record(r, err)
	}()
	var wait <-chan time.Time
	if !sc.Hang {
		t := time.NewTimer(sc.Duration)
		defer t.Stop()
		wait = t.C
	}
	select {
	case <-wait:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	switch {
	case sc.Panic != nil:
		panic(sc.Panic)
	case sc.Err != nil:
		return nil, sc.Err
	case sc.RunFunc:
		return Local().Run(ctx, job)
	}
	return sc.Value, nil
}

func (f *Fake) record(r FakeRun, err error) {
	r.End, r.Err = time.Now(), err
	f.mu.Lock()
	f.runs = append(f.runs, r)
	f.mu.Unlock()
}

// Runs returns the finished runs, ordered by start time, then task ID,
// then attempt: an order that is the same on every run of a
// deterministic (synctest) simulation.
func (f *Fake) Runs() []FakeRun {
	f.mu.Lock()
	runs := slices.Clone(f.runs)
	f.mu.Unlock()
	slices.SortFunc(runs, func(a, b FakeRun) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Attempt, b.Attempt))
	})
	return runs
}

// Order returns the names of the finished runs' tasks in the order of
// [Fake.Runs].
func (f *Fake) Order() []string {
	runs := f.Runs()
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Task
	}
	return names
}

// Makespan returns the time from the first run's start to the last run's
// end: how long the simulated schedule took. It is 0 before any run
// finished.
func (f *Fake) Makespan() time.Duration {
	runs := f.Runs()
	if len(runs) == 0 {
		return 0
	}
	end := runs[0].End
	for _, r := range runs[1:] {
		if r.End.After(end) {
			end = r.End
		}
	}
	return end.Sub(runs[0].Start)
}
