package main

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

// blockingBackend runs jobs until their context ends.
type blockingBackend struct{ started chan struct{} }

func (b blockingBackend) Run(ctx context.Context, _ *dagq.Job) (any, error) {
	b.started <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestInflightWaitsForRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newInflight(blockingBackend{started: make(chan struct{})})
		b.wait() // nothing under way: returns at once
		ctx, cancel := context.WithCancel(t.Context())
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := b.Run(ctx, &dagq.Job{})
				errs <- err
			}()
			<-b.inner.(blockingBackend).started
		}
		waited := make(chan struct{})
		go func() {
			b.wait()
			close(waited)
		}()
		synctest.Wait()
		select {
		case <-waited:
			t.Fatal("wait returned while runs were under way")
		default:
		}
		cancel()
		<-waited
		require.ErrorIs(t, <-errs, context.Canceled)
		require.ErrorIs(t, <-errs, context.Canceled)
	})
}
