package dagq

import (
	"fmt"
	"log/slog"
	"runtime"
	"time"
)

// Option configures a [Scheduler] at [New]. Options are plain comparable
// values (except those holding funcs or interfaces) and print with String.
type Option interface {
	apply(*config)
	String() string
}

// config is the scheduler's configuration, immutable after New except
// through the documented setters (SetParallelism, Queue.SetSize).
type config struct {
	parallelism    int
	policy         Policy
	backends       []namedBackend
	defaultBackend string
	observers      []Observer
	store          Store
	logger         *slog.Logger
	resources      []resourceOption
	failFast       bool
	defaultSize    int
	shutdownGrace  time.Duration
}

type namedBackend struct {
	name string
	b    Backend
}

func newConfig(opts []Option) config {
	c := config{
		policy:         FIFO(),
		defaultBackend: "local",
		defaultSize:    runtime.GOMAXPROCS(0),
		logger:         slog.New(slog.DiscardHandler),
		shutdownGrace:  DefaultShutdownGrace,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

// DefaultShutdownGrace is how long [Scheduler.Shutdown] waits, after it
// cancelled the tasks still running, for their workers to return: longer
// than [Exec]'s default SIGTERM → SIGKILL sequence (5 s, then at most a
// second for the process group).
const DefaultShutdownGrace = 10 * time.Second

type shutdownGraceOption time.Duration

func (o shutdownGraceOption) apply(c *config) { c.shutdownGrace = max(time.Duration(o), 0) }
func (o shutdownGraceOption) String() string {
	return fmt.Sprintf("WithShutdownGrace(%v)", time.Duration(o))
}

// WithShutdownGrace sets how long [Scheduler.Shutdown] waits, once its
// ctx ended and it cancelled the running tasks, for them to return
// (default [DefaultShutdownGrace]; 0 returns at once). Give it at least
// the [ExecGrace] of every Exec backend, so that their process groups get
// their SIGKILL before the program exits.
func WithShutdownGrace(d time.Duration) Option { return shutdownGraceOption(d) }

type parallelismOption int

func (o parallelismOption) apply(c *config) { c.parallelism = int(o) }
func (o parallelismOption) String() string  { return fmt.Sprintf("WithParallelism(%d)", int(o)) }

// WithParallelism caps how many tasks run at once across all queues;
// 0 (the default) sets no global cap, so the queues' sizes bound it.
// A negative n is treated as 0. See [Scheduler.SetParallelism].
func WithParallelism(n int) Option { return parallelismOption(max(n, 0)) }

type policyOption struct{ p Policy }

func (o policyOption) apply(c *config) {
	if o.p != nil {
		c.policy = o.p
	}
}
func (o policyOption) String() string { return fmt.Sprintf("WithPolicy(%v)", o.p) }

// WithPolicy sets the policy of queues created without [WithQueuePolicy],
// including the default queue. The default is [FIFO].
func WithPolicy(p Policy) Option { return policyOption{p} }

type backendOption namedBackend

func (o backendOption) apply(c *config) { c.backends = append(c.backends, namedBackend(o)) }
func (o backendOption) String() string  { return fmt.Sprintf("WithBackend(%q)", o.name) }

// WithBackend registers b under name; tasks choose it with [OnBackend] or
// Spec.Backend. A later registration of the same name replaces an earlier
// one; "local" is registered by default as [Local].
func WithBackend(name string, b Backend) Option { return backendOption{name, b} }

type defaultBackendOption string

func (o defaultBackendOption) apply(c *config) { c.defaultBackend = string(o) }
func (o defaultBackendOption) String() string {
	return fmt.Sprintf("WithDefaultBackend(%q)", string(o))
}

// WithDefaultBackend names the backend of tasks that name none
// (default "local"). New panics if no backend has that name.
func WithDefaultBackend(name string) Option { return defaultBackendOption(name) }

type observerOption struct{ o Observer }

func (o observerOption) apply(c *config) {
	if o.o != nil {
		c.observers = append(c.observers, o.o)
	}
}
func (o observerOption) String() string { return "WithObserver(...)" }

// WithObserver adds an observer that receives every event of the run, in
// order, on a goroutine of its own; see [Observer].
func WithObserver(o Observer) Option { return observerOption{o} }

type storeOption struct{ st Store }

func (o storeOption) apply(c *config) { c.store = o.st }
func (o storeOption) String() string  { return "WithStore(...)" }

// WithStore sets where results of tasks with a [Key] are recorded; the
// default is a [MemoryStore] of the scheduler's own.
func WithStore(st Store) Option { return storeOption{st} }

type loggerOption struct{ l *slog.Logger }

func (o loggerOption) apply(c *config) {
	if o.l != nil {
		c.logger = o.l
	}
}
func (o loggerOption) String() string { return "WithLogger(...)" }

// WithLogger sets the logger the scheduler reports its own troubles to
// (an observer that panicked, a store that failed). The default discards.
func WithLogger(l *slog.Logger) Option { return loggerOption{l} }

type resourceOption struct {
	name     string
	capacity int
}

func (o resourceOption) apply(c *config) { c.resources = append(c.resources, o) }
func (o resourceOption) String() string {
	return fmt.Sprintf("WithResource(%q, %d)", o.name, o.capacity)
}

// WithResource declares a named resource pool of the given capacity
// (licences, memory in GiB, a rate-limited service). Tasks claim amounts of
// it with [Uses]; see the package documentation, "Resource pools". New
// panics on an empty name, a duplicate name or a capacity below 1.
func WithResource(name string, capacity int) Option { return resourceOption{name, capacity} }

type failFastOption struct{}

func (failFastOption) apply(c *config) { c.failFast = true }
func (failFastOption) String() string  { return "WithFailFast()" }

// WithFailFast makes the first failure kill every task not yet finished
// (smqsched's behaviour). By default only the failed task's dependents are
// killed (DVSim's).
func WithFailFast() Option { return failFastOption{} }
