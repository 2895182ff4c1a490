// Package lazyctx is a cancellable context that makes its cancellable
// part only when someone looks: most task attempts never read their
// context's Done channel or cause, so an attempt then costs no
// context.WithCancelCause registered with, and contending on, its
// parent.
package lazyctx

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Ctx is such a context, embedded in its owner's state and guarded by
// the owner's mutex, which Init names. It implements context.Context.
type Ctx struct {
	parent context.Context
	mu     *sync.Mutex                // the owner's; taken to make inner
	inner  atomic.Pointer[cancelable] // made on demand, under mu
	// cause is why it was cancelled before inner existed (the first cause
	// wins); stored under mu and read without it, so that Err never
	// takes the owner's lock: a task polling ctx.Err() in a loop, or a
	// backend calling it under a lock of its own, must not contend or
	// deadlock.
	cause atomic.Pointer[error]
}

type cancelable struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// Init readies c for use with parent, made cancellable under mu. A Ctx is
// initialised once.
func (c *Ctx) Init(parent context.Context, mu *sync.Mutex) { c.parent, c.mu = parent, mu }

// Used reports whether c was initialised.
func (c *Ctx) Used() bool { return c.mu != nil }

// Parent returns the context c derives from.
func (c *Ctx) Parent() context.Context { return c.parent }

// Deadline returns the parent's deadline.
func (c *Ctx) Deadline() (time.Time, bool) { return c.parent.Deadline() }

// Done returns a channel closed when c is cancelled or the parent is done.
func (c *Ctx) Done() <-chan struct{} { return c.materialize().ctx.Done() }

// Err returns why c is done, without taking the owner's lock.
func (c *Ctx) Err() error {
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

// causeKey is the key under which package context looks up the
// cancellable context behind a Context (for context.Cause, AfterFunc and
// propagation to children), learnt by asking Cause once: whatever the key
// is, a Value lookup with it needs the cancellable part.
var causeKey = func() any {
	done, cancel := context.WithCancel(context.Background())
	cancel() // Cause looks up the key only in a context that is done
	p := &keyProbe{Context: done}
	_ = context.Cause(p)
	return p.key
}()

type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

// Value answers from the parent, except for the key of package context's
// own lookups, which needs the cancellable context so that c's cause is
// found.
func (c *Ctx) Value(key any) any {
	if key == causeKey {
		return c.materialize().ctx.Value(key)
	}
	return c.parent.Value(key)
}

// materialize returns the cancellable context, making it if needed.
func (c *Ctx) materialize() *cancelable {
	if in := c.inner.Load(); in != nil {
		return in
	}
	c.mu.Lock()
	defer c.mu.Unlock()
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

// CancelLocked cancels c with *cause (the first cause wins). The caller
// holds the owner's mutex.
func (c *Ctx) CancelLocked(cause *error) {
	if in := c.inner.Load(); in != nil {
		in.cancel(*cause)
	} else if c.cause.Load() == nil {
		c.cause.Store(cause)
	}
}

// released is the cause of a context whose work returned: shared, so
// that ending one allocates nothing.
var released error = context.Canceled

// ReleaseLocked frees what c holds once its work returned: it is then
// cancelled with context.Canceled unless it was before. The caller holds
// the owner's mutex.
func (c *Ctx) ReleaseLocked() { c.CancelLocked(&released) }
