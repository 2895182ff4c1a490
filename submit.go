package dagq

import (
	"context"
	"fmt"
	"slices"
)

// Submit adds a task that runs fn on queue q and returns its future.
// Dependencies come from [After]; the other options are in this package's
// TaskOption list. Submit never blocks on the task: it returns at once,
// also while the scheduler runs. A submission that is invalid (an unknown
// backend, a request that can never be met, a dependency from another
// scheduler) returns a future that has already failed with a
// [*SubmitError]; after Shutdown the future fails with [ErrClosed].
//
// Cost: one allocation holding the future, the task and fn, plus what the
// options need: the typed tasks below keep their function next to the
// future and run through their run method, with no closure per task.
func Submit[T any](q *Queue, fn func(context.Context) (T, error), opts ...TaskOption) *Future[T] {
	t := take[submitTask[T]](q)
	t.fn, t.body = fn, typedBody
	submit(q, &t.node, t, nil, refuseNil(fn == nil, "Submit", opts))
	return &t.Future
}

type submitTask[T any] struct {
	Future[T]
	fn func(context.Context) (T, error)
}

func (t *submitTask[T]) run(ctx context.Context) error { return t.settle(t.fn(ctx)) }

// typedBody marks a task whose function runs through its output's run
// method (a typed task); it is never called.
func typedBody(context.Context) error { panic("dagq: typedBody called") }

// run runs a closure task's body; typed tasks override it.
func (f *Future[T]) run(ctx context.Context) error { return f.body(ctx) }

// runBody runs the task's function: through its typed output if it has
// one, else its body (specs).
func (n *node) runBody(ctx context.Context) error {
	if n.out != nil {
		return ownError(n.out.run(ctx))
	}
	return ownError(n.body(ctx))
}

// settle stores v if err is nil, and returns err.
func (f *Future[T]) settle(v T, err error) error {
	if err == nil {
		f.value = v
	}
	return err
}

// Then adds a task that runs fn with a's value once a has succeeded, and
// is killed at once if a fails or is killed.
func Then[A, T any](q *Queue, a *Future[A], fn func(context.Context, A) (T, error), opts ...TaskOption) *Future[T] {
	t := take[thenTask[A, T]](q)
	t.a, t.fn, t.body = a, fn, typedBody
	t.depBuf[0] = futureNode(a)
	submit(q, &t.node, t, t.depBuf[:1], refuseNil(fn == nil, "Then", opts))
	return &t.Future
}

type thenTask[A, T any] struct {
	Future[T]
	a  *Future[A]
	fn func(context.Context, A) (T, error)
}

func (t *thenTask[A, T]) run(ctx context.Context) error { return t.settle(t.fn(ctx, t.a.value)) }

// Then2 is [Then] with two dependencies.
func Then2[A, B, T any](q *Queue, a *Future[A], b *Future[B], fn func(context.Context, A, B) (T, error), opts ...TaskOption) *Future[T] {
	t := &then2Task[A, B, T]{a: a, b: b, fn: fn}
	t.body = typedBody
	t.depBuf = [2]*node{futureNode(a), futureNode(b)}
	submit(q, &t.node, t, t.depBuf[:2], refuseNil(fn == nil, "Then2", opts))
	return &t.Future
}

type then2Task[A, B, T any] struct {
	Future[T]
	a  *Future[A]
	b  *Future[B]
	fn func(context.Context, A, B) (T, error)
}

func (t *then2Task[A, B, T]) run(ctx context.Context) error {
	return t.settle(t.fn(ctx, t.a.value, t.b.value))
}

// Then3 is [Then] with three dependencies.
func Then3[A, B, C, T any](q *Queue, a *Future[A], b *Future[B], c *Future[C], fn func(context.Context, A, B, C) (T, error), opts ...TaskOption) *Future[T] {
	f := &Future[T]{}
	f.body = func(ctx context.Context) error { return f.settle(fn(ctx, a.value, b.value, c.value)) }
	submit(q, &f.node, f, []*node{futureNode(a), futureNode(b), futureNode(c)}, refuseNil(fn == nil, "Then3", opts))
	return f
}

// Join adds a task that runs fn with the values of all futures in as, in
// order, once all have succeeded.
func Join[A, T any](q *Queue, as []*Future[A], fn func(context.Context, []A) (T, error), opts ...TaskOption) *Future[T] {
	f := &Future[T]{}
	deps := make([]*node, len(as))
	for i, a := range as {
		deps[i] = futureNode(a)
	}
	as = append([]*Future[A](nil), as...)
	f.body = func(ctx context.Context) error {
		vs := make([]A, len(as))
		for i, a := range as {
			vs[i] = a.value
		}
		return f.settle(fn(ctx, vs))
	}
	submit(q, &f.node, f, deps, refuseNil(fn == nil, "Join", opts))
	return f
}

// futureNode returns a's node, or nil for a nil future (refused later).
func futureNode[A any](a *Future[A]) *node {
	if a == nil {
		return nil
	}
	return &a.node
}

// refusalOption refuses the task at submission, for a reason found before
// the options were read.
type refusalOption string

func (o refusalOption) applyTask(c *taskConfig) { c.refusal = string(o) }

// refuseNil returns opts with a refusal naming api if nilFn is set (the
// function to run is nil), else opts unchanged.
func refuseNil(nilFn bool, api string, opts []TaskOption) []TaskOption {
	if !nilFn {
		return opts
	}
	return append(slices.Clip(opts), refusalOption(api+": nil function"))
}

// submit registers n on q's scheduler. vdeps are the dependencies whose
// values the body reads.
func submit(q *Queue, n *node, out output, vdeps []*node, opts []TaskOption) {
	n.out = out
	if q == nil {
		var c taskConfig
		c.apply(opts)
		n.detach(c.name, &SubmitError{Reason: "nil queue"})
		return
	}
	var kc taskConfig // the store's answer for a keyed task, asked before the lock
	if kc.key = keyOf(opts); kc.key != "" {
		q.s.loadKey(&kc, out.valuePtr())
	}
	q.s.insert(q, n, vdeps, opts, &kc)
}

// detach makes n a task that failed before entering any scheduler.
func (n *node) detach(name string, err error) {
	n.name, n.status = name, Failed
	n.extra().err = err
}

// insert validates and adds one task. It is the single entry point of
// closures into the graph. Options are applied under the lock into the
// scheduler's scratch config, so that submitting allocates no config.
func (e *engine) insert(q *Queue, n *node, vdeps []*node, opts []TaskOption, kc *taskConfig) {
	e.mu.Lock()
	c := &e.scratch // zero between submissions: cleared once, on the way out
	defer func() {
		*c = taskConfig{}
		e.mu.Unlock()
	}()
	c.apply(opts)
	c.keyFound, c.keyErr = kc.keyFound, kc.keyErr
	if e.state == stateClosed {
		n.detach(c.name, fmt.Errorf("dagq: submit: %w", ErrClosed))
		return
	}
	if err := e.roomLocked(1); err != nil {
		n.detach(c.name, &SubmitError{Reason: err.Error()})
		return
	}
	deps, err := e.resolveDepsLocked(n, vdeps, c)
	now := e.now()
	e.addLocked(q, n, c, deps, err, now)
	e.dispatchAtLocked(false, now)
}

// resolveDepsLocked returns the task's dependencies, without duplicates;
// up to two live in the node itself.
func (e *engine) resolveDepsLocked(n *node, vdeps []*node, c *taskConfig) ([]*node, error) {
	if len(vdeps) > 0 && c.trigger != AllSucceeded {
		return nil, &SubmitError{Reason: fmt.Sprintf("a task that takes dependency values must use AllSucceeded, not %v", c.trigger)}
	}
	deps, shared := vdeps, false
	switch {
	case len(c.deps) == 0:
	case deps == nil && c.depsKept && len(c.deps) > len(n.depBuf):
		deps, shared = c.deps, true // After's slice: deduplicated, never written to
	default:
		if deps == nil {
			deps = n.depBuf[:0]
		}
		deps = append(deps, c.deps...)
	}
	for _, d := range deps {
		switch {
		case d == nil:
			return nil, &SubmitError{Reason: "nil dependency"}
		case d.sched() != e:
			return nil, &SubmitError{Reason: fmt.Sprintf("dependency %s is not a task of this scheduler", d.label())}
		}
	}
	if shared {
		return deps, nil
	}
	return dedupe(deps), nil
}

// dedupe drops repeated dependencies, keeping the first of each. It
// writes to deps only if there are repeats.
func dedupe(deps []*node) []*node {
	var seen map[*node]struct{} // for long lists; short ones are scanned
	if len(deps) > 8 {
		seen = make(map[*node]struct{}, len(deps))
	}
	out := deps[:0]
	for i, d := range deps {
		switch {
		case repeated(out, d, seen):
		case len(out) == i:
			out = out[:i+1] // nothing dropped yet: d is in place
		default:
			out = append(out, d)
		}
	}
	return out
}

// repeated reports whether d is among kept, the dependencies kept so far,
// recording it in seen if there is one.
func repeated(kept []*node, d *node, seen map[*node]struct{}) bool {
	if seen == nil {
		return slices.Contains(kept, d)
	}
	if _, ok := seen[d]; ok {
		return true
	}
	seen[d] = struct{}{}
	return false
}

// addLocked registers n with its options and dependencies and makes it
// Blocked, then Queued or Killed as its dependencies say. A non-nil
// refusal fails it at once. now is the time of submission.
func (e *engine) addLocked(q *Queue, n *node, c *taskConfig, deps []*node, refusal error, now int64) {
	n.q = q
	n.id = TaskID(e.nodes.Push(n) + 1)
	e.waits.Push(0)
	n.name, n.trigger = c.name, c.trigger
	n.weight, n.priority, n.cost = c.weight, c.priority, c.cost
	n.times[atSubmitted] = now
	n.deps = deps
	if n.name != "" {
		e.byName[n.name] = n
	}
	n.backend = e.defBack
	if c.feed != nil {
		n.extra().feed = c.feed // posted even if refused
	}
	if refusal == nil {
		refusal = e.configureLocked(n, c)
	}
	e.setStatusLocked(n, Blocked, TaskSubmitted, "", now)
	if refusal != nil {
		n.extra().err = refusal
		e.failed = append(e.failed, n)
		e.setStatusLocked(n, Failed, TaskFinished, refusal.Error(), now)
		return
	}
	if c.key != "" && e.state != stateAborted && e.dedupLocked(n, c.keyFound, now) {
		return
	}
	var blame string
	for _, d := range deps {
		switch {
		case !d.status.Terminal():
			e.dependLocked(d, n)
		case d.status == Succeeded:
			n.succeeded++
		case n.trigger == AllSucceeded && blame == "":
			blame = d.blame()
		}
	}
	if e.ranks != nil {
		e.ranks.addLocked(n, e.waitingLocked(n))
	}
	switch {
	case e.state == stateAborted:
		e.killLocked(n, "run context ended: killed at submission", now)
	case e.endedLocked(q) != "":
		e.killLocked(n, q.endReason("killed at submission"), now)
	case blame != "":
		n.heir = true
		e.killLocked(n, blame, now)
	case e.waitingLocked(n) > 0:
	case n.trigger == AnySucceeded && len(deps) > 0 && n.succeeded == 0:
		e.killLocked(n, "no dependency succeeded", now)
	default:
		e.readyLocked(n, now)
	}
}

// configureLocked applies the options that can refuse a task: backend,
// resources, retries.
func (e *engine) configureLocked(n *node, c *taskConfig) error {
	if reason := c.check(); reason != "" {
		return &SubmitError{Reason: reason}
	}
	b, reason := e.backendForLocked(c.backend, c.cmd != nil)
	if b == nil {
		return &SubmitError{Reason: reason}
	}
	n.backend = b
	if c.rare() {
		if err := e.configureRareLocked(n, c); err != nil {
			return err
		}
	}
	if b := n.backend; b.capa != nil {
		err := admitSafely(b, e.jobLocked(n))
		n.job = nil
		if err != nil {
			return &SubmitError{Reason: fmt.Sprintf("backend %q: %s", b.name, unprefixed(err)), Err: err}
		}
	} else if c.needs.GPUs > 0 {
		return &SubmitError{Reason: fmt.Sprintf("needs %d GPUs but backend %q has no devices", c.needs.GPUs, n.backend.name)}
	}
	return nil
}

// configureRareLocked applies the options kept in nodeExtra.
func (e *engine) configureRareLocked(n *node, c *taskConfig) error {
	x := n.extra()
	x.tenant, x.key, x.timeout, x.retries, x.backoff, x.needs = c.tenant, c.key, c.timeout, c.retries, c.backoff, c.needs
	x.cmd, x.env, x.dir = c.cmd, c.env, c.dir
	if c.key != "" {
		if x.stream != nil {
			return &SubmitError{Reason: fmt.Sprintf("Key(%q) on a stream: a stream's items are not stored, so a twin could not yield them; key the tasks that use the items, or a task that returns them all", c.key)}
		}
		if err := e.checkKeyLocked(n, c); err != nil {
			return err
		}
	}
	if p := c.portable; p != nil {
		if p.err != nil {
			return &SubmitError{Reason: p.err.Error()}
		}
		x.portable = p
	}
	for _, u := range c.uses {
		p := e.pools[u.Pool]
		if p == nil {
			return &SubmitError{Reason: fmt.Sprintf("unknown resource pool %q (declare it with WithResource)", u.Pool)}
		}
		i := slices.IndexFunc(x.uses, func(pu poolUse) bool { return pu.p == p })
		if i < 0 {
			i = len(x.uses)
			x.uses = append(x.uses, poolUse{p: p})
		}
		if x.uses[i].amount += u.Amount; x.uses[i].amount > p.capacity {
			return &SubmitError{Reason: fmt.Sprintf("uses %d of pool %q, which holds %d", x.uses[i].amount, p.name, p.capacity)}
		}
	}
	return nil
}
