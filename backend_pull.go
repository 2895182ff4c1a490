package dagq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Pull is a backend that the application drives from its own loop, as an
// inference server's generation loop or a rank-0 coordinator does: the
// loop calls [Pull.Next] to claim the best ready task and [Pull.Complete]
// to report its outcome. Tasks reach the loop only when it asks, so they
// wait Queued, in their queues' policy order, and queue sizes, pools and
// the global cap still apply. Register it with [WithBackend] (one
// scheduler per Pull) and send tasks to it with [OnBackend] or
// Spec.Backend:
//
//	p := dagq.NewPull()
//	s := dagq.New(dagq.WithBackend("gen", p))
//	...
//	for {
//		job, err := p.Next(ctx)
//		if err != nil {
//			break
//		}
//		v, err := step(job)
//		p.Complete(job, v, err)
//	}
//
// A claimed task is Running until Complete; if it is killed or times out
// meanwhile, a later Complete is ignored, and the context [Pull.Context]
// made for the job is cancelled so that the worker can stop. [Scheduler.Shutdown] does not
// wait for claimed tasks, since the loop that would complete them has
// usually stopped: it kills them at once, and waiting Next calls return
// [ErrClosed]. Pull is safe for concurrent use; several loops may call
// Next at once.
type Pull struct {
	mu       sync.Mutex  // guards the fields below; taken inside the scheduler's lock
	incoming []chan *Job // Next calls not yet seen by the scheduler (see PublishCapacity)
	waiters  []chan *Job // Next calls the scheduler may hand jobs to
	reserved int         // waiters promised by Acquire, not yet handed their job
	claims   map[*Job]*pullClaim
	wake     func()
	closed   bool
}

var (
	_ Capacity          = (*Pull)(nil)
	_ CapacityNotifier  = (*Pull)(nil)
	_ CapacityPublisher = (*Pull)(nil)
	_ UniformCapacity   = (*Pull)(nil)
	_ ShutdownNotifier  = (*Pull)(nil)
)

// pullClaim is one job between Acquire and Release.
type pullClaim struct {
	done      chan pullResult // buffered: sending never blocks
	released  chan struct{}   // closed by Release, once the scheduler recorded the outcome
	completed bool
	cause     error                     // why the attempt ended without Complete (Run's ctx)
	cancels   []context.CancelCauseFunc // of the contexts made by Pull.Context
}

type pullResult struct {
	v   any
	err error
}

// NewPull returns a Pull backend.
func NewPull() *Pull {
	return &Pull{claims: map[*Job]*pullClaim{}}
}

// Next claims the best ready task of this backend and returns its job,
// blocking until one exists or ctx ends (then it returns ctx.Err()). If
// ctx ends just as a job arrives, Next returns the job. After the
// scheduler's Shutdown it returns [ErrClosed].
//
// Run the job as you see fit: job.Func computes a closure task's value
// (call it with the context of [Pull.Context], cancelled when the task
// is), job.Cmd and job.Handler/Args
// describe portable tasks. Then report with [Pull.Complete].
func (p *Pull) Next(ctx context.Context) (*Job, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, fmt.Errorf("dagq: pull: %w", ErrClosed)
	}
	w := make(chan *Job, 1)
	if p.wake == nil { // no scheduler to publish it: visible at once
		p.waiters = append(p.waiters, w)
	} else {
		p.incoming = append(p.incoming, w)
	}
	wake := p.wake
	p.mu.Unlock()
	if wake != nil {
		wake()
	}
	select {
	case job, ok := <-w:
		return pulled(job, ok)
	case <-ctx.Done():
	}
	p.mu.Lock()
	gone := false
	for _, list := range []*[]chan *Job{&p.incoming, &p.waiters} {
		if i := slices.Index(*list, w); i >= 0 {
			*list = slices.Delete(*list, i, i+1)
			gone = true
		}
	}
	p.mu.Unlock()
	if gone {
		return nil, ctx.Err()
	}
	// Already handed a job, or closed: both are in w.
	job, ok := <-w
	return pulled(job, ok)
}

func pulled(job *Job, ok bool) (*Job, error) {
	if !ok {
		return nil, fmt.Errorf("dagq: pull: %w", ErrClosed)
	}
	job.Began()
	return job, nil
}

// Complete reports the outcome of a job returned by Next: value (which
// must have the task's result type, or be nil for its zero value; else
// the task fails with an error saying so) or err. It returns once the
// scheduler has recorded the outcome, so that the next call to Next sees
// the tasks it made ready; that takes a lock acquisition, not the
// duration of other tasks. Completing a job twice, a job whose task was
// killed meanwhile, or a job that Next did not return, does nothing.
func (p *Pull) Complete(job *Job, value any, err error) {
	p.mu.Lock()
	c := p.claims[job]
	if c == nil || c.completed {
		p.mu.Unlock()
		return
	}
	c.completed = true
	c.done <- pullResult{value, ownError(err)}
	p.mu.Unlock()
	<-c.released
}

// NotifyCapacity implements [CapacityNotifier]: Next wakes the scheduler.
func (p *Pull) NotifyCapacity(wake func()) {
	p.mu.Lock()
	p.wake = wake
	p.mu.Unlock()
}

var errPullGPUs = errors.New("the pull backend has no devices")

// Admit refuses jobs that need GPUs.
func (p *Pull) Admit(job *Job) error {
	if job.Needs.GPUs > 0 {
		return errPullGPUs
	}
	return nil
}

// Acquire succeeds while a Next call waits for a job that no other job
// was promised.
func (p *Pull) Acquire(job *Job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.waiters) <= p.reserved {
		return false
	}
	p.reserved++
	p.claims[job] = &pullClaim{done: make(chan pullResult, 1), released: make(chan struct{})}
	return true
}

// Release forgets job, and lets its Complete call return.
func (p *Pull) Release(job *Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.claims[job]; c != nil {
		close(c.released)
		delete(p.claims, job)
		cause := c.cause
		if cause == nil {
			cause = errPullEnded
		}
		for _, cancel := range c.cancels {
			cancel(cause)
		}
	}
}

var errPullEnded = errors.New("dagq: pull: the job's attempt has ended")

// Context returns a context derived from parent for running job, a job
// returned by Next: it is cancelled when the task's attempt ends without
// the worker (killed, cancelled, timed out, the run ended), with the
// task's cause (context.Cause), so that work nobody waits for any more
// stops, as a Local task's would; and once the outcome is recorded. Run
// job.Func with it, and call cancel when done:
//
//	ctx, cancel := p.Context(ctx, job)
//	v, err := job.Func(ctx)
//	cancel()
//	p.Complete(job, v, err)
func (p *Pull) Context(parent context.Context, job *Job) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	p.mu.Lock()
	if c := p.claims[job]; c != nil {
		c.cancels = append(c.cancels, cancel)
	} else {
		cancel(errPullEnded)
	}
	p.mu.Unlock()
	return ctx, func() { cancel(context.Canceled) }
}

// Run hands job to a waiting Next call and blocks until [Pull.Complete]
// or until ctx ends (then it returns ctx's cause). If the Next call it was
// promised gave up meanwhile, it returns [ErrBackendBusy]: the task goes
// back to Queued.
func (p *Pull) Run(ctx context.Context, job *Job) (any, error) {
	// Read ctx before locking: p.mu is taken inside the scheduler's lock
	// (Acquire), so nothing under p.mu calls back into a task's context.
	cancelled := ctx.Err() != nil
	p.mu.Lock()
	p.reserved = max(p.reserved-1, 0)
	c := p.claims[job]
	switch {
	case c == nil:
		p.mu.Unlock()
		return nil, errors.New("dagq: pull: Run without Acquire")
	case cancelled:
		p.mu.Unlock()
		return nil, context.Cause(ctx)
	case len(p.waiters) == 0:
		p.mu.Unlock()
		return nil, ErrBackendBusy
	}
	w := p.waiters[0]
	p.waiters = slices.Delete(p.waiters, 0, 1)
	w <- job
	p.mu.Unlock()
	select {
	case r := <-c.done:
		return r.v, r.err
	case <-ctx.Done():
		cause := context.Cause(ctx)
		p.mu.Lock()
		c.cause = cause
		p.mu.Unlock()
		return nil, cause
	}
}

// PublishCapacity makes the Next calls made since the last dispatch
// visible to Acquire (see [CapacityPublisher]). The scheduler calls it
// with its lock held, so that one dispatch round sees one number of
// waiting calls: otherwise a call arriving mid-round could go to a task
// after a better one was refused.
func (p *Pull) PublishCapacity() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiters = append(p.waiters, p.incoming...)
	p.incoming = p.incoming[:0]
}

// UniformCapacity reports true: every job takes one waiting Next call
// (see [UniformCapacity]).
func (p *Pull) UniformCapacity() bool { return true }

// NotifyShutdown ends Next calls, waiting or future (they return
// [ErrClosed]), and strands the claimed jobs not completed: the loop that
// would complete them has usually stopped (see [ShutdownNotifier]).
func (p *Pull) NotifyShutdown() (stranded func(*Job) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, w := range append(p.waiters, p.incoming...) {
		close(w)
	}
	p.waiters, p.incoming = nil, nil
	return p.pending
}

// pending reports whether job is running on p and not completed.
func (p *Pull) pending(job *Job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.claims[job]
	return c != nil && !c.completed
}

// killStrandedLocked is Shutdown's first step: it tells the backends that
// hear of it ([ShutdownNotifier]) and kills their stranded running tasks
// at once, instead of waiting for them.
func (e *engine) killStrandedLocked(now int64) {
	stranded := map[*backendEntry]func(*Job) bool{}
	for _, b := range e.backends {
		if f := e.strandedSafely(b); f != nil {
			stranded[b] = f
		}
	}
	if len(stranded) == 0 {
		return
	}
	for n := range e.nodes.All() {
		if f := stranded[n.backend]; f != nil && n.status == Running && (n.job == nil || f(n.job)) {
			e.killLocked(n, fmt.Sprintf("shutdown: killed while running (stranded on backend %q: never completed, it would not end by itself)", n.backend.name), now)
		}
	}
}
