// Package signal is a broadcast for goroutines that wait for a condition
// on state guarded by a mutex: the waiter checks the condition under the
// lock and, while it does not hold, waits on a channel made on demand,
// which the goroutine that changes the state closes. Nothing is
// allocated until someone waits.
package signal

import "sync"

// Signal is one such broadcast. Its methods are called with the owner's
// lock held. The zero value is ready to use.
type Signal struct {
	ch chan struct{}
}

// C returns the channel the next Broadcast closes, making it if needed.
func (s *Signal) C() <-chan struct{} {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Broadcast wakes every goroutine waiting on the current channel, if any.
func (s *Signal) Broadcast() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// Waiting reports whether a channel was made that no Broadcast closed yet.
func (s *Signal) Waiting() bool { return s.ch != nil }

// Wait releases mu, which the caller holds, until the next Broadcast or
// until done is closed, and takes mu again. It reports false if done was
// closed first. Callers check their condition again after it returns:
//
//	for !cond() {
//		if !sig.Wait(&mu, ctx.Done()) {
//			...
//		}
//	}
func (s *Signal) Wait(mu sync.Locker, done <-chan struct{}) bool {
	ch := s.C()
	mu.Unlock()
	defer mu.Lock()
	select {
	case <-ch:
		return true
	case <-done:
		return false
	}
}
