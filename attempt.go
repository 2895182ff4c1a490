package dagq

import (
	"context"
	"sync/atomic"
	"time"
)

// attemptCtx is the context a task attempt runs with. Most tasks never
// look at their context's Done channel, so the cancellable context behind
// it is made only when needed (Done, Err after cancellation, or
// context.Cause): an attempt costs one small allocation instead of a
// context.WithCancelCause registered with, and contending on, the run
// context.
type attemptCtx struct {
	parent context.Context // the run context, maybe with a deadline or devices
	s      *Scheduler
	inner  atomic.Pointer[cancelable] // made on demand, under s.mu
	// cause is why it was cancelled before inner existed (the first cause
	// wins); stored under s.mu and read without it, so that Err never
	// takes the scheduler's lock: a task polling ctx.Err() in a loop, or
	// a backend calling it under a lock of its own, must not contend or
	// deadlock.
	cause atomic.Pointer[error]
}

// released is the cause of an attempt that returned: shared, so that
// ending an attempt allocates nothing.
var released error = context.Canceled

type cancelable struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func (c *attemptCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }

func (c *attemptCtx) Done() <-chan struct{} { return c.materialize().ctx.Done() }

func (c *attemptCtx) Err() error {
	if in := c.inner.Load(); in != nil {
		return in.ctx.Err()
	}
	if err := c.parent.Err(); err != nil {
		return err
	}
	if c.cause.Load() != nil {
		return context.Canceled
	}
	return nil
}

// Value answers from the parent, except for the key context.Cause asks
// for (an unexported *int of package context), which needs the
// cancellable context so that the attempt's own cause is found.
func (c *attemptCtx) Value(key any) any {
	if _, ok := key.(*int); ok {
		return c.materialize().ctx.Value(key)
	}
	return c.parent.Value(key)
}

// materialize returns the cancellable context, making it if needed.
func (c *attemptCtx) materialize() *cancelable {
	if in := c.inner.Load(); in != nil {
		return in
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if in := c.inner.Load(); in != nil {
		return in
	}
	ctx, cancel := context.WithCancelCause(c.parent)
	if cause := c.cause.Load(); cause != nil {
		cancel(*cause)
	}
	in := &cancelable{ctx, cancel}
	c.inner.Store(in)
	return in
}

// cancelLocked cancels the attempt with *cause (the first cause wins).
func (c *attemptCtx) cancelLocked(cause *error) {
	if in := c.inner.Load(); in != nil {
		in.cancel(*cause)
	} else if c.cause.Load() == nil {
		c.cause.Store(cause)
	}
}

// releaseLocked frees what the attempt holds once it returned.
func (c *attemptCtx) releaseLocked() { c.cancelLocked(&released) }
