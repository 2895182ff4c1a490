package dagq

import (
	"fmt"
	"slices"
	"time"
)

// TaskOption configures one task at submission.
type TaskOption interface {
	applyTask(*taskConfig)
}

// taskConfig gathers a task's options.
type taskConfig struct {
	name     string
	deps     []*node  // read-only if depsKept: then it is an After option's own slice
	depsKept bool     // deps is an After option's, shared with the tasks that used it
	depsBuf  [4]*node // backs deps for dependencies named one by one
	weight   float64
	priority int
	tenant   string
	cost     float64
	backend  string
	needs    Resources
	key      string
	timeout  time.Duration
	retries  int
	backoff  time.Duration
	uses     []Use
	trigger  TriggerRule
	cmd      []string     // Spec.Cmd
	env      []string     // Spec.Env, Env
	dir      string       // Spec.Dir, Dir
	portable *portable    // Call: handler and JSON arguments
	refusal  string       // why the task is refused whatever its options (a nil function)
	feed     chan<- *node // Feed: where the task is posted once terminal (feed.go)

	keyFound bool  // the store holds a result for key, decoded into the future
	keyErr   error // the store lookup failed: the task is refused
}

func (c *taskConfig) apply(opts []TaskOption) {
	for _, o := range opts {
		if o != nil {
			o.applyTask(c)
		}
	}
}

// rare reports whether the task needs the fields kept outside the node.
func (c *taskConfig) rare() bool {
	return c.tenant != "" || c.key != "" || c.timeout != 0 || c.retries != 0 ||
		len(c.uses) != 0 || c.needs != (Resources{}) || len(c.cmd) != 0 || c.portable != nil ||
		len(c.env) != 0 || c.dir != ""
}

// Resources is what a task needs from its backend.
type Resources struct {
	GPUs int // devices, from a GPU backend (see NewGPU)
}

// Use is an amount of a named resource pool a task holds while it runs.
type Use struct {
	Pool   string
	Amount int
}

type nameOption string

func (o nameOption) applyTask(c *taskConfig) { c.name = string(o) }

// Name names the task, for [Scheduler.Lookup], Spec.Deps, events and error
// messages. Names of closure tasks need not be unique; Lookup finds the
// most recent.
func Name(name string) TaskOption { return nameOption(name) }

// afterOption holds After's arguments as tasks, without duplicates; up to
// four live in the option itself, so that the common After costs one
// allocation, and a task with more dependencies than it holds itself
// shares the option's slice, which nothing writes after After returns.
type afterOption struct {
	deps []*node // len == cap: an append never writes into it
	buf  [4]*node
}

// applyTask shares o's slice when it is the first After.
func (o *afterOption) applyTask(c *taskConfig) {
	if c.deps == nil {
		c.deps, c.depsKept = o.deps, true
		return
	}
	c.deps, c.depsKept = append(c.deps, o.deps...), false
}

// afterTask is After with one dependency: the task itself, so that the
// option costs no allocation.
type afterTask node

func (o *afterTask) applyTask(c *taskConfig) {
	if c.deps == nil {
		c.deps = c.depsBuf[:0]
	}
	c.deps, c.depsKept = append(c.deps, (*node)(o)), false
}

// After adds dependencies whose values the task does not take. The task
// starts only once they are done, as its [TriggerRule] says. After copies
// its arguments; naming the same dependency twice is allowed.
func After(deps ...Dep) TaskOption {
	if len(deps) == 1 && deps[0] != nil {
		if n := deps[0].depNode(); n != nil {
			return (*afterTask)(n)
		}
	}
	o := &afterOption{}
	ns := o.buf[:0]
	if len(deps) > len(o.buf) {
		ns = make([]*node, 0, len(deps))
	}
	for _, d := range deps {
		var n *node // nil: refused at submission
		if d != nil {
			n = d.depNode()
		}
		ns = append(ns, n)
	}
	o.deps = slices.Clip(dedupe(ns))
	return o
}

type weightOption float64

func (o weightOption) applyTask(c *taskConfig) { c.weight = float64(o) }

// Weight sets the task's weight, used by [ByWeight] (higher first).
func Weight(w float64) TaskOption { return weightOption(w) }

type priorityOption int

func (o priorityOption) applyTask(c *taskConfig) { c.priority = int(o) }

// Priority sets the task's priority, used by [ByPriority] (higher first).
func Priority(p int) TaskOption { return priorityOption(p) }

type tenantOption string

func (o tenantOption) applyTask(c *taskConfig) { c.tenant = string(o) }

// Tenant names who the task runs for, used by [FairShare].
func Tenant(name string) TaskOption { return tenantOption(name) }

type costOption float64

func (o costOption) applyTask(c *taskConfig) { c.cost = float64(o) }

// Cost sets the task's estimated duration or work, used by [ShortestFirst]
// and [CriticalPath].
func Cost(c float64) TaskOption { return costOption(c) }

type backendNameOption string

func (o backendNameOption) applyTask(c *taskConfig) { c.backend = string(o) }

// OnBackend runs the task on the backend registered under name (see
// [WithBackend]); an unknown name fails the task at submission.
func OnBackend(name string) TaskOption { return backendNameOption(name) }

type needsOption Resources

func (o needsOption) applyTask(c *taskConfig) { c.needs = Resources(o) }

// Needs states what the task needs from its backend, such as GPU devices.
// A backend that can never provide it fails the task at submission.
func Needs(r Resources) TaskOption { return needsOption(r) }

type keyOption string

func (o keyOption) applyTask(c *taskConfig) { c.key = string(o) }

// Key sets the task's deduplication key: tasks with the same key mean the
// same work, and it runs once (a task's ID tells requests apart, its key
// what they mean). At submission, a task with key k is
//   - Succeeded at once, with Cached set and without running, if the
//     scheduler's [Store] holds a result for k (a task with k succeeded
//     before, in this run or, with a durable Store, an earlier one), or a
//     task of this scheduler with k succeeded;
//   - otherwise, if a task with k is pending or running in this scheduler,
//     left Blocked until that twin finishes, and then given its outcome:
//     Succeeded with a copy of its value (Cached), Failed wrapping its
//     error, or Killed naming it;
//   - otherwise run as usual; if it succeeds its result is saved in the
//     Store, and if it fails, the next task with k runs again.
//
// A task settled from its key does not wait for its own dependencies: the
// key stands for its result. Dependencies are by task, not by key, so a
// dependent of a failed task is killed even if a later task with the same
// key succeeds. It goes from Blocked straight to its terminal status
// (events TaskSubmitted, then TaskFinished with Task.Cached). Tasks sharing
// a key must have the same result type; otherwise the later one fails at
// submission with a [*KeyError] wrapping [ErrKeyType]. Submit blocks for the
// Store's Load of a keyed task.
func Key(k string) TaskOption { return keyOption(k) }

type timeoutOption time.Duration

func (o timeoutOption) applyTask(c *taskConfig) { c.timeout = time.Duration(o) }

// Timeout bounds each attempt of the task: its context is cancelled after
// d, and the attempt fails with an error wrapping
// context.DeadlineExceeded. A d ≤ 0 sets no timeout.
func Timeout(d time.Duration) TaskOption { return timeoutOption(d) }

type retryOption struct {
	retries int
	backoff time.Duration
}

func (o retryOption) applyTask(c *taskConfig) { c.retries, c.backoff = o.retries, o.backoff }

// Retry runs a failed task again, up to retries more times, waiting
// backoff·2^(n−1) before the n-th retry (capped at one minute). Meanwhile
// the task is Queued and Reason names the failure. A killed task is not
// retried.
func Retry(retries int, backoff time.Duration) TaskOption { return retryOption{retries, backoff} }

type usesOption Use

func (o usesOption) applyTask(c *taskConfig) { c.uses = append(c.uses, Use(o)) }

// Uses makes the task hold amount units of the resource pool named pool
// (declared with [WithResource]) while it runs. Several Uses add up.
func Uses(pool string, amount int) TaskOption { return usesOption{pool, amount} }

type triggerOption TriggerRule

func (o triggerOption) applyTask(c *taskConfig) { c.trigger = TriggerRule(o) }

// Trigger sets when the task becomes ready; see [TriggerRule].
func Trigger(r TriggerRule) TaskOption { return triggerOption(r) }

// String implementations make options readable in logs and test failures.
func (o nameOption) String() string        { return fmt.Sprintf("Name(%q)", string(o)) }
func (o *afterOption) String() string      { return fmt.Sprintf("After(%d deps)", len(o.deps)) }
func (o *afterTask) String() string        { return "After(1 dep)" }
func (o weightOption) String() string      { return fmt.Sprintf("Weight(%g)", float64(o)) }
func (o priorityOption) String() string    { return fmt.Sprintf("Priority(%d)", int(o)) }
func (o tenantOption) String() string      { return fmt.Sprintf("Tenant(%q)", string(o)) }
func (o costOption) String() string        { return fmt.Sprintf("Cost(%g)", float64(o)) }
func (o backendNameOption) String() string { return fmt.Sprintf("OnBackend(%q)", string(o)) }
func (o needsOption) String() string       { return fmt.Sprintf("Needs(%+v)", Resources(o)) }
func (o keyOption) String() string         { return fmt.Sprintf("Key(%q)", string(o)) }
func (o timeoutOption) String() string     { return fmt.Sprintf("Timeout(%v)", time.Duration(o)) }
func (o retryOption) String() string       { return fmt.Sprintf("Retry(%d, %v)", o.retries, o.backoff) }
func (o usesOption) String() string        { return fmt.Sprintf("Uses(%q, %d)", o.Pool, o.Amount) }
func (o triggerOption) String() string     { return fmt.Sprintf("Trigger(%v)", TriggerRule(o)) }
