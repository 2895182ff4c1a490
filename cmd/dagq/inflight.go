package main

import (
	"context"
	"sync"

	"github.com/dagq/dagq"
)

// inflight is a backend that counts the runs of the one it wraps, so that
// dagq can wait for them: Shutdown returns once it has cancelled the
// running jobs, while their process groups may still be in their grace
// period, and dagq must not exit before they are gone.
type inflight struct {
	inner dagq.Backend

	mu   sync.Mutex // guards n
	n    int
	zero *sync.Cond // signalled when n drops to 0
}

func newInflight(inner dagq.Backend) *inflight {
	b := &inflight{inner: inner}
	b.zero = sync.NewCond(&b.mu)
	return b
}

// Run runs job on the inner backend.
func (b *inflight) Run(ctx context.Context, job *dagq.Job) (any, error) {
	b.mu.Lock()
	b.n++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		if b.n--; b.n == 0 {
			b.zero.Broadcast()
		}
		b.mu.Unlock()
	}()
	return b.inner.Run(ctx, job)
}

// wait blocks until no run is under way. A run that begins later starts
// nothing if its context was cancelled before, as Exec checks it first.
func (b *inflight) wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.n > 0 {
		b.zero.Wait()
	}
}
