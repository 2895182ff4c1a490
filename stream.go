package dagq

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
)

// Stream is a task that produces its output progressively: item after
// item, each of which other tasks can depend on as soon as it exists (see
// [SubmitStream] and [Stream.At]). The stream task itself is an ordinary
// task: it has an ID, is counted in [Stats], emits task events, and can be
// cancelled, retried and waited for. A *Stream is also a [Dep] on the
// whole stream: [After](st) waits for the stream to succeed.
//
// A Stream's methods are safe for concurrent use.
type Stream[T any] struct {
	task *Future[struct{}] // the stream task

	// Guarded by the scheduler's mu.
	items   []T
	pending map[int]*Future[T] // items asked for with At and not yet emitted
	wake    chan struct{}      // closed at the next item or the end; made on demand
}

// itemSource is how the core reaches a stream task's items.
type itemSource interface {
	// endLocked settles the items asked for and not emitted, once the
	// stream task became terminal. Called once, with s.mu held.
	endLocked(now int64)
}

// SubmitStream adds a task that runs fn on queue q, and returns its
// stream. fn produces items by calling emit, in order: the i-th call
// (counting from 0) emits item i, which at once makes [Stream.At](i)
// succeed and its dependents ready, while fn goes on. emit is safe for
// concurrent use and takes about 100 ns when nothing waits on the item;
// it returns an error, and records nothing, once the task's context is
// cancelled (killed, timed out, the run ended) or after fn returned: fn
// should then return.
//
// If fn returns nil, the stream succeeds with the items emitted; items
// asked for beyond them fail with [ErrNoItem] and their dependents are
// killed. If fn fails (or the task is killed) after k items, items below k
// stay valid and the later ones are killed, as are their dependents, with
// a reason naming the stream and its error. With [Retry], a new attempt
// starts over: its first emits repeat items the stream already has and
// are dropped (emit returns nil), so that a deterministic producer goes
// on where it failed.
//
// Options and refusals are those of [Submit]. SubmitStream never blocks.
// Cost: three allocations, plus the items (see [Stream.At]).
func SubmitStream[T any](q *Queue, fn func(ctx context.Context, emit func(T) error) error, opts ...TaskOption) *Stream[T] {
	st := &Stream[T]{task: &Future[struct{}]{}}
	n := &st.task.node
	n.x = &nodeExtra{stream: st}
	n.body = func(ctx context.Context) error { return produce(ctx, n, fn) }
	submit(q, n, st.task, nil, opts)
	return st
}

// produce runs one attempt of the stream task n. The stream is reached
// through n only while it runs, so that the scheduler, which keeps every
// node, does not keep a finished stream's items.
func produce[T any](ctx context.Context, n *node, fn func(context.Context, func(T) error) error) error {
	s := n.s
	s.mu.Lock()
	st, _ := n.x.stream.(*Stream[T])
	s.mu.Unlock()
	if st == nil { // killed before this attempt began
		return context.Cause(ctx)
	}
	e := &emitter[T]{st: st, ctx: ctx}
	err := fn(ctx, e.emit)
	s.mu.Lock()
	e.closed = true
	s.mu.Unlock()
	return err
}

// emitter is the emit function of one attempt of a stream task.
type emitter[T any] struct {
	st     *Stream[T]
	ctx    context.Context
	next   int  // index of the attempt's next item; guarded by s.mu
	closed bool // the attempt returned; guarded by s.mu
}

var errEmitClosed = errors.New("the attempt that got this emit function has ended")

func (e *emitter[T]) emit(v T) error {
	st := e.st
	n := &st.task.node
	if e.ctx.Err() != nil {
		return fmt.Errorf("dagq: emit on stream %s: %w", n.label(), context.Cause(e.ctx))
	}
	s := n.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.closed || n.status != Running {
		return fmt.Errorf("dagq: emit on stream %s: %w", n.label(), errEmitClosed)
	}
	i := e.next
	e.next++
	if i < len(st.items) {
		return nil // a retry repeating an item the stream has
	}
	st.items = append(st.items, v)
	var now int64
	if len(s.sinks) > 0 {
		now = s.now()
		ev := s.taskEventLocked(TaskItem, n, Running, "", now)
		ev.Item = i
		s.pushLocked(ev)
	}
	if f := st.pending[i]; f != nil {
		delete(st.pending, i)
		if now == 0 {
			now = s.now()
		}
		f.value = v
		s.setStatusLocked(&f.node, Succeeded, TaskFinished, "", now)
		s.resolveLocked(&f.node, now)
		s.dispatchLocked(false)
	}
	st.wakeLocked()
	return nil
}

// wakeLocked wakes the iterators waiting for an item or the end.
func (st *Stream[T]) wakeLocked() {
	if st.wake != nil {
		close(st.wake)
		st.wake = nil
	}
}

// At returns the future of item i, a [Dep]: [Then](q, st.At(i), fn) runs fn
// with the item as soon as it is emitted, before the stream ends. The
// future succeeds when item i is emitted; fails with [ErrNoItem] if the
// stream succeeds with fewer items (or i < 0); and is killed, with a
// reason naming the stream and its error, if the stream fails or is killed
// before emitting it. At may be called at any time, also after the stream
// ended. It does not block; it is safe for concurrent use.
//
// Item futures are not tasks: ID returns the stream's ID, Info reports
// the name "<stream>[i]" ("stream[i]" for an unnamed stream), the stream
// as the only dependency and the statuses Blocked, then Succeeded, Failed
// or Killed; they are not counted in [Stats], have no events of their
// own (the stream's [TaskItem] events report the items), and
// [Scheduler.Task] and [Scheduler.Lookup] find the stream, not them.
//
// Cost: an item future (a few hundred bytes) per call for an item not yet
// emitted, shared by later calls for the same item until it is emitted,
// and held by the stream until it ends; a new one per call for an item
// that exists. Items nobody asked for cost no future.
func (st *Stream[T]) At(i int) *Future[T] {
	t := &st.task.node
	s := t.s
	if s == nil { // the stream was refused at submission
		f := &Future[T]{}
		f.detach(itemName(t.name, i), t.err)
		return f
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := st.pending[i]; f != nil {
		return f
	}
	now := s.now()
	f := &Future[T]{}
	n := &f.node
	n.s, n.q, n.backend, n.id, n.item = s, t.q, t.backend, t.id, true
	n.name = itemName(t.name, i)
	n.status = Blocked
	n.times[atSubmitted] = now
	n.depBuf[0] = t
	n.deps = n.depBuf[:1]
	switch {
	case i < 0:
		n.err = fmt.Errorf("%w: index %d of stream %s is negative", ErrNoItem, i, t.label())
		s.setStatusLocked(n, Failed, TaskFinished, "", now)
	case i < len(st.items):
		f.value = st.items[i]
		s.setStatusLocked(n, Succeeded, TaskFinished, "", now)
	case !t.status.Terminal():
		n.waiting = 1
		t.dependents = append(t.dependents, n)
		if st.pending == nil {
			st.pending = map[int]*Future[T]{}
		}
		st.pending[i] = f
	default:
		st.missLocked(n, st.missReasonLocked(), now)
	}
	return f
}

// itemName names item i of the stream named name.
func itemName(name string, i int) string {
	if name == "" {
		name = "stream"
	}
	return name + "[" + strconv.Itoa(i) + "]"
}

func (st *Stream[T]) endLocked(now int64) {
	t := &st.task.node
	t.x.stream = nil // from now on the items live as long as st
	if len(st.pending) > 0 {
		why := st.missReasonLocked()
		for _, f := range st.pending {
			st.missLocked(&f.node, why, now)
		}
		st.pending = nil
	}
	st.wakeLocked()
}

// missReasonLocked returns why an item the ended stream did not emit
// failed (a Failed status) or was killed: an error wrapping ErrNoItem if
// the stream succeeded, else a reason naming the stream and its error.
func (st *Stream[T]) missReasonLocked() error {
	t := &st.task.node
	switch t.status {
	case Succeeded:
		return fmt.Errorf("%w: stream %s ended after %d items", ErrNoItem, t.label(), len(st.items))
	case Failed:
		return fmt.Errorf("stream %s failed after %d items: %v", t.label(), len(st.items), t.err)
	}
	return fmt.Errorf("stream %s killed after %d items: %s", t.label(), len(st.items), t.reason)
}

// missLocked settles item n, which the ended stream did not emit. Its
// dependents are resolved with the stream's (see resolveLocked).
func (st *Stream[T]) missLocked(n *node, why error, now int64) {
	s := n.s
	if st.task.status == Succeeded {
		n.err = why
		s.setStatusLocked(n, Failed, TaskFinished, "", now)
		return
	}
	n.heir = true // its dependents inherit the reason, which names the stream
	s.killLocked(n, why.Error(), now)
}

// All blocks until the stream ended and returns its items, in a new
// slice. If the stream did not succeed it returns the items emitted
// before it ended and a [*TaskError]. If ctx ends first, All returns
// ctx.Err() and the stream goes on.
func (st *Stream[T]) All(ctx context.Context) ([]T, error) {
	select {
	case <-st.Done():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t := st.task
	if t.s == nil {
		return nil, t.taskError()
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	items := slices.Clone(st.items)
	if t.status != Succeeded {
		return items, t.taskError()
	}
	return items, nil
}

// Items returns an iterator over the stream's items as they are emitted,
// in order, with their indexes. It blocks while waiting for the next item
// and ends after the last item, once the stream ended (whatever its
// outcome: call Wait to learn it), when ctx ends, or when the loop stops.
// Each iteration takes the scheduler's lock once; several iterators may
// run at once.
func (st *Stream[T]) Items(ctx context.Context) iter.Seq2[int, T] {
	return func(yield func(int, T) bool) {
		s := st.task.s
		if s == nil {
			return
		}
		for i := 0; ; i++ {
			s.mu.Lock()
			for i >= len(st.items) && !st.task.status.Terminal() {
				if st.wake == nil {
					st.wake = make(chan struct{})
				}
				ch := st.wake
				s.mu.Unlock()
				select {
				case <-ch:
				case <-ctx.Done():
					return
				}
				s.mu.Lock()
			}
			if i >= len(st.items) {
				s.mu.Unlock()
				return
			}
			v := st.items[i]
			s.mu.Unlock()
			if !yield(i, v) {
				return
			}
		}
	}
}

// Len returns how many items the stream has emitted so far; it is final
// once the stream ended (Done is closed).
func (st *Stream[T]) Len() int {
	s := st.task.s
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(st.items)
}

// Wait blocks until the stream task is terminal and returns nil if it
// succeeded, else a [*TaskError]. If ctx ends first it returns ctx.Err().
func (st *Stream[T]) Wait(ctx context.Context) error {
	_, err := st.task.Get(ctx)
	return err
}

// ID returns the stream task's ID (0 if it was refused before it had one).
func (st *Stream[T]) ID() TaskID { return st.task.ID() }

// Done returns a channel that is closed when the stream task is terminal.
func (st *Stream[T]) Done() <-chan struct{} { return st.task.Done() }

// Status returns the stream task's current status.
func (st *Stream[T]) Status() Status { return st.task.Status() }

// Info returns a snapshot of the stream task.
func (st *Stream[T]) Info() TaskInfo { return st.task.Info() }

func (st *Stream[T]) depNode() *node { return &st.task.node }
