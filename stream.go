package dagq

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/dagq/dagq/internal/signal"
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
	wake    signal.Signal      // broadcast at the next item or the end
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
// concurrent use and takes about 50 ns when nothing waits on the item;
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
// Cost: four allocations, plus the items (see [Stream.At]).
func SubmitStream[T any](q *Queue, fn func(ctx context.Context, emit func(T) error) error, opts ...TaskOption) *Stream[T] {
	st := &Stream[T]{task: &Future[struct{}]{}}
	n := &st.task.node
	n.x = &nodeExtra{stream: st}
	n.body = func(ctx context.Context) error { return produce(ctx, n, fn) }
	submit(q, n, st.task, nil, refuseNil(fn == nil, "SubmitStream", opts))
	return st
}

// produce runs one attempt of the stream task n. The stream is reached
// through n only while it runs, so that the scheduler, which keeps every
// node, does not keep a finished stream's items.
func produce[T any](ctx context.Context, n *node, fn func(context.Context, func(T) error) error) error {
	s := n.q.s
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
	s := n.q.s
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
		if s.wantsLocked(TaskItem, Running, Running, now) {
			ev := s.taskEventLocked(TaskItem, n, Running, "", now)
			ev.Item = i
			s.publishLocked(ev)
		}
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
	st.wake.Broadcast()
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
	s := st.sched()
	if s == nil {
		return nil, t.taskError()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
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
		s := st.sched()
		if s == nil {
			return
		}
		for i := 0; ; i++ {
			s.mu.Lock()
			for i >= len(st.items) && !st.task.status.Terminal() {
				if !st.wake.Wait(&s.mu, ctx.Done()) {
					s.mu.Unlock()
					return
				}
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
	s := st.sched()
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

// depNode returns the stream's task; nil for a nil stream, which
// submission refuses.
func (st *Stream[T]) depNode() *node {
	if st == nil {
		return nil
	}
	return &st.task.node
}

// sched returns the stream's scheduler, or nil if the stream was refused
// before it entered one.
func (st *Stream[T]) sched() *engine {
	if q := st.task.q; q != nil {
		return q.s
	}
	return nil
}
