package dagq

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// Registry holds named handlers: task bodies whose arguments and results
// are JSON values, so that a task can run in this process or in another
// one that registered the same handlers (a worker of a distributed
// backend). Register handlers with [Handle] when the program starts, the
// same in the submitting program and in its workers; submit portable tasks
// with [Call], [CallThen] and [CallJoin].
//
// A Registry is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	handlers map[string]func(context.Context, json.RawMessage) (json.RawMessage, error)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{handlers: map[string]func(context.Context, json.RawMessage) (json.RawMessage, error){}}
}

// Handler is a handler registered under a name, taking arguments of type A
// and returning a result of type R. Both must survive a JSON round trip
// (encoding/json) to run in another process.
type Handler[A, R any] struct {
	name string
	fn   func(context.Context, A) (R, error)
}

// Name returns the name the handler is registered under.
func (h *Handler[A, R]) Name() string { return h.name }

// Handle registers fn under name in r and returns its typed handle, which
// [Call] takes. Handle panics if r or fn is nil, name is empty or already
// registered: registration is part of the program's setup, like
// http.Handle, and a clash is a programming error.
func Handle[A, R any](r *Registry, name string, fn func(context.Context, A) (R, error)) *Handler[A, R] {
	if r == nil || fn == nil || name == "" {
		panic("dagq: Handle: need a registry, a name and a function")
	}
	run := func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
		var a A
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("dagq: handler %q: decoding arguments into %T: %w", name, a, err)
		}
		v, err := fn(ctx, a)
		if err != nil {
			return nil, err
		}
		out, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("dagq: handler %q: encoding result %T: %w", name, v, err)
		}
		return out, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.handlers[name]; dup {
		panic(fmt.Sprintf("dagq: Handle: handler %q is already registered", name))
	}
	r.handlers[name] = run
	return &Handler[A, R]{name: name, fn: fn}
}

// Has reports whether a handler is registered under name.
func (r *Registry) Has(name string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.handlers[name]
	return ok
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.handlers))
	for n := range r.handlers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Run runs the handler registered under name with JSON arguments and
// returns its JSON result. It is what a worker process calls for each job.
// It blocks while the handler runs and passes ctx to it. An unknown name
// or undecodable arguments are errors; a panic in the handler is returned
// as a [*PanicError].
func (r *Registry) Run(ctx context.Context, name string, args json.RawMessage) (out json.RawMessage, err error) {
	r.mu.RLock()
	run := r.handlers[name]
	r.mu.RUnlock()
	if run == nil {
		return nil, fmt.Errorf("dagq: no handler registered under %q", name)
	}
	defer recoverTo(&err)
	return run(ctx, args)
}

// JSONResult is a task's result encoded as JSON. A backend that runs tasks
// in another process returns it from [Backend.Run]; the scheduler decodes
// it into the task's result type (outside its lock), and fails the task if
// it does not decode.
type JSONResult json.RawMessage

// decodeJSON implements output.
func (f *Future[T]) decodeJSON(raw JSONResult) (any, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("dagq: task %s: decoding its JSON result into %T: %w", f.label(), v, err)
	}
	return v, nil
}

// portable is what a task submitted with Call needs to run elsewhere.
type portable struct {
	handler string
	args    func() (json.RawMessage, error) // the JSON arguments, made when the task starts
	err     error                           // refuses the task at submission
}

func (p *portable) applyTask(c *taskConfig) { c.portable = p }

// Call submits a portable task: handler h with args. It runs like
// [Submit] on any backend — the local one calls h's function directly —
// and a backend that runs tasks in other processes sends the handler's
// name and args as JSON (see [Job]) and decodes the JSON result. args are
// encoded at submission: a value that cannot be encoded fails the task
// with a [*SubmitError]. Call does not block.
func Call[A, R any](q *Queue, h *Handler[A, R], args A, opts ...TaskOption) *Future[R] {
	if h == nil {
		return callWith(q, h, nil, nil, nil, opts)
	}
	raw, err := json.Marshal(args)
	if err != nil {
		err = fmt.Errorf("encoding the arguments of handler %q: %w", h.name, err)
	}
	p := &portable{handler: h.name, args: func() (json.RawMessage, error) { return raw, nil }, err: err}
	return callWith(q, h, func() A { return args }, p, nil, opts)
}

// CallThen submits a portable task that runs handler h with the value of
// a as its arguments, once a has succeeded (see [Then]). The value is
// encoded when the task starts on a backend that needs JSON.
func CallThen[A, R any](q *Queue, h *Handler[A, R], a *Future[A], opts ...TaskOption) *Future[R] {
	get := func() A { return a.value }
	return callWith(q, h, get, lazyArgs(h.name, get), []*node{futureNode(a)}, opts)
}

// CallJoin submits a portable task that runs handler h with the values of
// as, in order, once all have succeeded (see [Join]).
func CallJoin[A, R any](q *Queue, h *Handler[[]A, R], as []*Future[A], opts ...TaskOption) *Future[R] {
	deps := make([]*node, len(as))
	for i, a := range as {
		deps[i] = futureNode(a)
	}
	as = slices.Clone(as)
	get := func() []A {
		vs := make([]A, len(as))
		for i, a := range as {
			vs[i] = a.value
		}
		return vs
	}
	return callWith(q, h, get, lazyArgs(h.name, get), deps, opts)
}

// lazyArgs encodes the arguments when the task starts.
func lazyArgs[A any](name string, get func() A) *portable {
	return &portable{handler: name, args: func() (json.RawMessage, error) {
		raw, err := json.Marshal(get())
		if err != nil {
			return nil, fmt.Errorf("dagq: encoding the arguments of handler %q: %w", name, err)
		}
		return raw, nil
	}}
}

// callWith submits a portable task whose body calls h's function with
// get's value. The portable option goes last so that it wins.
func callWith[A, R any](q *Queue, h *Handler[A, R], get func() A, p *portable, vdeps []*node, opts []TaskOption) *Future[R] {
	f := &Future[R]{}
	if h == nil {
		f.detach("", &SubmitError{Reason: "nil handler"})
		return f
	}
	f.body = func(ctx context.Context) error {
		v, err := h.fn(ctx, get())
		if err == nil {
			f.value = v
		}
		return err
	}
	submit(q, &f.node, f, vdeps, append(slices.Clip(opts), p))
	return f
}

// runJob runs n's job on its backend, outside the lock: it encodes a
// portable task's arguments before and decodes a [JSONResult] after.
func (n *node) runJob() (any, error) {
	j := n.job // made under the lock: n.x may be made meanwhile, j holds what is needed of it
	if j.portable != nil && j.Args == nil {
		args, err := j.portable.args()
		if err != nil {
			return nil, err
		}
		j.Args = args
	}
	v, err := n.backend.b.Run(n.ctx, j)
	if raw, ok := v.(JSONResult); ok && err == nil && n.out != nil {
		return n.out.decodeJSON(raw)
	}
	return v, err
}
