package dagq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
)

// Backend runs jobs. Run blocks until the job is done and returns its
// value (which must have the task's result type) or error. Run must return
// soon after ctx is cancelled; the scheduler cancels ctx when the task is
// killed, times out or the run ends. A Backend must be safe for concurrent
// use: the scheduler calls Run from many goroutines at once.
//
// A Backend that cannot take a job right now returns [ErrBackendBusy]
// before starting it; the task goes back to Queued and is tried again.
// Backends with a known, finite capacity implement [Capacity] instead, so
// that surplus tasks wait Queued in policy order without being tried.
type Backend interface {
	Run(ctx context.Context, job *Job) (any, error)
}

// Job is one attempt of a task, as a backend sees it. The scheduler makes
// a new Job for each attempt; a backend may keep it until Run returns.
type Job struct {
	ID      TaskID
	Name    string
	Queue   string
	Attempt int // 1 for the first attempt

	// Func runs a local task (a closure submitted with Submit, Then, ...)
	// and returns its value. It is nil for portable tasks.
	Func func(ctx context.Context) (any, error)
	// Cmd is a process to run (Spec.Cmd), for process backends, with Env
	// ("KEY=value" entries to add to the backend's environment) and Dir
	// (its working directory; relative to the backend's, "" for that).
	Cmd []string
	Env []string
	Dir string
	// Handler and Args name a registered handler and its JSON arguments,
	// for backends that run tasks in other processes.
	Handler string
	Args    json.RawMessage

	Needs Resources
	// Devices is set by a device backend's Acquire ([GPU]): the devices it
	// assigned, or an empty, non-nil slice for a job it runs without one
	// (a CPU slot). Nil when no device backend holds the job. [Exec] sets
	// CUDA_VISIBLE_DEVICES to them whenever it is not nil.
	Devices []string
	Key     string

	Priority int // the task's Priority, for backends that order jobs

	portable *portable // the task's handler and arguments, encoded into Args outside the lock
	task     *node     // the task whose attempt it is, for Began
}

// Began records that the backend began the job's work now — a process
// started, a worker took the job — as the task's TaskInfo.Started, which
// is its Dispatched time until then: the difference is the time the
// backend took to begin. A backend whose work begins as soon as Run is
// called need not call it ([Local], [Fake]); [Exec] calls it when the
// process has started and [Pull] when a Next call takes the job. Only the
// first call of an attempt counts; a call after the attempt ended, or on
// a Job the scheduler did not make, does nothing. Safe for concurrent use;
// it takes the scheduler's lock, so a backend must not call it while
// holding a lock that Acquire or Release take.
func (j *Job) Began() {
	n := j.task
	if n == nil {
		return
	}
	e := n.sched()
	e.mu.Lock()
	defer e.mu.Unlock()
	if n.job == j && n.status == Running && (n.x == nil || n.x.started == 0) {
		n.extra().started = e.now()
	}
}

// Capacity is implemented by backends with finite capacity (device slots,
// a pool of remote workers). The scheduler asks Acquire before it starts a
// task on the backend and leaves the task Queued, in policy order, while
// Acquire says no; it calls Release once Run has returned. Admit, Acquire
// and Release are called with the scheduler's lock held: they must be
// fast and must not block, call the scheduler, or call the wake function
// of [CapacityNotifier] (the scheduler dispatches after Release anyway).
type Capacity interface {
	Backend
	// Admit reports at submission whether the job could ever run here; its
	// error fails the task at once (e.g. more GPUs than exist).
	Admit(job *Job) error
	// Acquire claims what job needs without blocking and reports whether it
	// could. It may set job.Devices.
	Acquire(job *Job) bool
	// Release returns what Acquire claimed for job.
	Release(job *Job)
}

// CapacityNotifier is implemented by Capacity backends whose capacity can
// grow other than through Release (for instance a worker joined). The
// scheduler calls NotifyCapacity once when it is created, with a function
// the backend calls, from any goroutine and without holding its own locks,
// whenever capacity grew.
type CapacityNotifier interface {
	NotifyCapacity(wake func())
}

// CapacityPublisher is an optional interface of a [CapacityNotifier] whose
// new capacity must become visible to Acquire only under the scheduler's
// lock, as [Pull]'s waiting Next calls do: after the backend calls its
// wake function, the scheduler calls PublishCapacity with its lock held,
// just before the dispatch round the wake causes. A round then sees one
// capacity throughout, so a task lower in policy order cannot take
// capacity that appeared after a higher one was refused. PublishCapacity
// must be fast, must not block and must not call the scheduler; a panic
// in it is logged.
type CapacityPublisher interface {
	PublishCapacity()
}

// UniformCapacity is an optional interface of a [Capacity] backend whose
// jobs all take the same share of it (one slot each, as [Pull]'s waiting
// Next calls), reported by UniformCapacity. When Acquire refuses one job
// it refuses any other until capacity grows, so none can starve behind
// smaller ones: the scheduler then never reserves the backend for a task
// it had to pass over, which it does for other backends after 16 refusals
// (so that a large job is not kept out by a stream of small ones) and
// which would here only break the policy order. Asked once, at [New].
type UniformCapacity interface {
	UniformCapacity() bool
}

// ShutdownNotifier is an optional interface of a [Backend] that must hear
// of [Scheduler.Shutdown], as [Pull] does to end its waiting Next calls.
// NotifyShutdown is called once, with the scheduler's lock held, when
// Shutdown begins, before it waits for running tasks: it must not block
// or call the scheduler. It returns a function that reports whether a job
// still running on the backend is stranded, never to end by itself (a
// Pull job claimed and not completed: the loop that would complete it has
// usually stopped), or nil if none is. Shutdown kills stranded tasks at
// once, with a reason saying so, instead of waiting for them. A panic in
// either function is logged and strands nothing.
type ShutdownNotifier interface {
	NotifyShutdown() (stranded func(job *Job) bool)
}

// CommandRunner is implemented by backends that say whether they run
// commands (Job.Cmd, from [Command] or Spec.Cmd). A command task that names
// no backend goes to the default backend ([WithDefaultBackend]) unless the
// default says it runs no commands; then it goes to the built-in "exec".
// A command task sent to a backend that runs no commands is refused at
// submission. [Local] runs none, [Exec] and [Pull] run them, a [GPU]
// backend runs them if its inner backend does. A backend that does not
// implement CommandRunner is taken to run them.
type CommandRunner interface {
	RunsCommands() bool
}

// runsCommands reports what b says of itself through [CommandRunner].
func runsCommands(b Backend) bool {
	c, ok := b.(CommandRunner)
	return !ok || c.RunsCommands()
}

// backendEntry is a registered backend, resolved once per task.
type backendEntry struct {
	name  string
	b     Backend
	capa  Capacity // nil if the backend has no capacity interface
	local bool     // the built-in Local backend: run the typed body directly
	cmds  bool     // the backend runs commands (see CommandRunner)

	pub     CapacityPublisher // nil if the backend publishes no capacity
	uniform bool              // see UniformCapacity

	reservedBy *node // a starving task that has first claim on capacity; guarded by Scheduler.mu
}

// backendForLocked returns the backend of a task that names backend name
// ("" for none) and runs a command if cmd is set: the rule of
// [CommandRunner]. The reason says why there is none.
func (e *engine) backendForLocked(name string, cmd bool) (b *backendEntry, reason string) {
	switch b = e.backends[name]; {
	case name == "" && cmd && !e.defBack.cmds:
		b = e.backends["exec"]
	case name == "":
		b = e.defBack
	case b == nil:
		return nil, fmt.Sprintf("unknown backend %q", name)
	}
	if cmd && !b.cmds {
		return nil, fmt.Sprintf("a command needs a backend that runs processes, but backend %q runs functions: "+
			"name one with OnBackend or Spec.Backend, such as \"exec\" or a GPU backend WithInner(Exec())", b.name)
	}
	return b, ""
}

// newBackendEntry registers b under name.
func newBackendEntry(name string, b Backend) *backendEntry {
	e := &backendEntry{name: name, b: b, cmds: runsCommands(b)}
	_, e.local = b.(localBackend)
	e.capa, _ = b.(Capacity)
	e.pub, _ = b.(CapacityPublisher)
	if u, ok := b.(UniformCapacity); ok && e.capa != nil {
		e.uniform = askUniform(u)
	}
	return e
}

type localBackend struct{}

// Local returns the backend that runs each job's Func on the calling
// goroutine: the scheduler's own worker goroutines, so a task costs no
// goroutine of its own when work is continuous. It is the default backend,
// registered as "local". Other backends may wrap it. A panic in Func is
// returned as a [*PanicError].
func Local() Backend { return localBackend{} }

// RunsCommands reports false: Local runs only functions.
func (localBackend) RunsCommands() bool { return false }

func (localBackend) Run(ctx context.Context, job *Job) (v any, err error) {
	if job.Func == nil {
		return nil, errNoFunc
	}
	defer recoverTo(&err)
	return job.Func(ctx)
}

var errNoFunc = errors.New("dagq: the job has no function to run (a Cmd needs a process backend such as Exec)")

// recoverTo turns a panic into a *PanicError stored in *err. It must be
// deferred directly.
func recoverTo(err *error) {
	if r := recover(); r != nil {
		*err = &PanicError{Value: r, Stack: debug.Stack()}
	}
}

type devicesKey struct{}

// Devices returns the devices a [Capacity] backend assigned to the task
// running with ctx (for example GPU ids "0", "3"), or nil.
func Devices(ctx context.Context) []string {
	d, _ := ctx.Value(devicesKey{}).([]string)
	return d
}
