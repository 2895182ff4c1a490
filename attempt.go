package dagq

import (
	"context"
	"time"
)

// attemptCtx is the context a task attempt runs with. Most tasks never
// look at their context's Done channel, so the cancellable context behind
// it is made only when asked for (Done, Value, or context.Cause): an
// attempt costs one small allocation instead of a context.WithCancelCause
// registered with the run context. Its fields are guarded by the
// scheduler's mu.
type attemptCtx struct {
	parent context.Context // the run context, maybe with a deadline or devices
	s      *Scheduler
	inner  context.Context         // made on demand
	cancel context.CancelCauseFunc // of inner
	cause  error                   // why it was cancelled before inner existed
}

func (c *attemptCtx) Deadline() (time.Time, bool) { return c.parent.Deadline() }

func (c *attemptCtx) Done() <-chan struct{} { return c.materialize().Done() }

func (c *attemptCtx) Value(key any) any { return c.materialize().Value(key) }

func (c *attemptCtx) Err() error {
	c.s.mu.Lock()
	inner, cause := c.inner, c.cause
	c.s.mu.Unlock()
	switch {
	case inner != nil:
		return inner.Err()
	case cause != nil:
		return context.Canceled
	}
	return c.parent.Err()
}

// materialize returns the cancellable context, making it if needed.
func (c *attemptCtx) materialize() context.Context {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.inner == nil {
		c.inner, c.cancel = context.WithCancelCause(c.parent)
		if c.cause != nil {
			c.cancel(c.cause)
		}
	}
	return c.inner
}

// cancelLocked cancels the attempt with cause (the first cause wins).
func (c *attemptCtx) cancelLocked(cause error) {
	if c.cancel != nil {
		c.cancel(cause)
	} else if c.cause == nil {
		c.cause = cause
	}
}

// releaseLocked frees what the attempt holds once it returned.
func (c *attemptCtx) releaseLocked() {
	c.cancelLocked(context.Canceled)
}
