package dagq

import (
	"context"
	"fmt"
)

// Dep is something a task can depend on: a [*Future] or a stream item
// (see [Stream.At]). Pass Deps to [After], or futures to [Then] and [Join].
type Dep interface {
	depNode() *node
}

// Future is the result of a task that will be known later. Pass it to
// [Then], [Join] or [After] to make other tasks depend on it; call Get to
// wait for its value. A Future's methods are safe for concurrent use.
type Future[T any] struct {
	node
	value T // written once, before the task is marked Succeeded
}

// depNode returns the future's task; nil for a nil future, which
// submission refuses.
func (f *Future[T]) depNode() *node {
	if f == nil {
		return nil
	}
	return &f.node
}

func (f *Future[T]) setAny(v any) error {
	t, ok := v.(T)
	if !ok && v != nil {
		return fmt.Errorf("dagq: task %s returned a %T, its future wants a %T", f.label(), v, f.value)
	}
	f.value = t
	return nil
}

func (f *Future[T]) valueAny() any { return f.value }

func (f *Future[T]) valuePtr() any { return &f.value }

// ID returns the task's ID (0 for a task refused before it had one, such
// as one submitted after Shutdown).
func (f *Future[T]) ID() TaskID { return f.id }

// Get blocks until the task is terminal and returns its value, or a
// [*TaskError] if it did not succeed. If ctx ends first, Get returns
// ctx.Err() and the task goes on.
func (f *Future[T]) Get(ctx context.Context) (T, error) {
	select {
	case <-f.Done():
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	if f.status == Succeeded {
		return f.value, nil
	}
	var zero T
	return zero, f.taskError()
}

// Done returns a channel that is closed when the task is terminal.
func (f *Future[T]) Done() <-chan struct{} {
	s := f.sched()
	if s == nil {
		return closedChan
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.done == nil {
		f.done = make(chan struct{})
		if f.status.Terminal() {
			close(f.done)
		}
	}
	return f.done
}

// Status returns the task's current status.
func (f *Future[T]) Status() Status {
	s := f.sched()
	if s == nil {
		return f.status
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return f.status
}

// Info returns a snapshot of the task.
func (f *Future[T]) Info() TaskInfo {
	s := f.sched()
	if s == nil {
		return f.detachedInfo()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return f.info()
}

var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// detachedInfo describes a task refused before it entered a scheduler.
func (n *node) detachedInfo() TaskInfo {
	return TaskInfo{Name: n.name, Status: n.status, Err: n.x.err}
}
