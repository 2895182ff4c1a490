package lazyctx

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type key struct{}

var errStop = errors.New("stop")

// cancelled returns a Ctx cancelled with errStop, made cancellable before
// the cancellation if early.
func cancelled(t *testing.T, early bool) *Ctx {
	var mu sync.Mutex
	c := &Ctx{}
	c.Init(context.WithValue(context.Background(), key{}, "v"), &mu)
	require.True(t, c.Used())
	require.NoError(t, c.Err())
	if early {
		require.NotNil(t, c.Done())
	}
	cause := errStop
	mu.Lock()
	c.CancelLocked(&cause)
	second := errors.New("second")
	c.CancelLocked(&second) // the first cause wins
	mu.Unlock()
	return c
}

// Whether it is looked at before or after its cancellation, a Ctx behaves
// as context.WithCancelCause: Err, Done, Cause, Value, AfterFunc and its
// children agree.
func TestCtxBehavesAsWithCancelCause(t *testing.T) {
	for _, early := range []bool{true, false} {
		c := cancelled(t, early)
		require.ErrorIs(t, c.Err(), context.Canceled)
		<-c.Done()
		require.ErrorIs(t, context.Cause(c), errStop)
		require.Equal(t, "v", c.Value(key{}))
		child, cancel := context.WithCancel(c)
		<-child.Done()
		cancel()
		ran := make(chan struct{})
		context.AfterFunc(c, func() { close(ran) })
		<-ran
	}
}

func TestCtxFollowsItsParent(t *testing.T) {
	var mu sync.Mutex
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	c := &Ctx{}
	c.Init(parent, &mu)
	require.Same(t, parent, c.Parent())
	dl, ok := c.Deadline()
	require.True(t, ok)
	pdl, _ := parent.Deadline()
	require.Equal(t, pdl, dl)
	cancel()
	require.ErrorIs(t, c.Err(), context.Canceled)
	<-c.Done()
	mu.Lock()
	c.ReleaseLocked()
	mu.Unlock()
}

// Until someone looks, a Ctx costs nothing beyond itself.
func TestCtxIsLazy(t *testing.T) {
	var mu sync.Mutex
	cs := make([]Ctx, 101)
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		c := &cs[i]
		i++
		c.Init(context.Background(), &mu)
		_ = c.Err()
		mu.Lock()
		c.ReleaseLocked()
		mu.Unlock()
	})
	require.Zero(t, allocs)
}
