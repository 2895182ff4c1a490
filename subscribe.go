package dagq

import "context"

// MaxSubscribeBuffer is the largest channel buffer [Scheduler.Subscribe]
// makes; a larger request gets this one.
const MaxSubscribeBuffer = 1 << 16

// Subscribe returns a channel that receives every event from now on, in
// order, and a function that ends the subscription. Nothing is dropped:
// events wait in an unbounded queue while the channel's buffer is full,
// so a subscriber that stops reading without unsubscribing makes memory
// grow. The channel is closed by the returned function (which discards
// what was not yet received and may be called more than once), or by
// Shutdown once RunStopped was received; Shutdown waits for that until its
// ctx ends. After Shutdown, Subscribe returns a closed channel.
//
// buffer is the channel's capacity, clamped to [0, MaxSubscribeBuffer]: a
// larger buffer would only reserve memory, since events already wait in
// the subscription's own queue.
func (s *Scheduler) Subscribe(buffer int) (<-chan Event, func()) {
	ch := make(chan Event, min(max(buffer, 0), MaxSubscribeBuffer))
	quit := make(chan struct{})
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		close(ch)
		return ch, func() {}
	}
	k := s.addSinkLocked(ObserverFunc(func(e Event) {
		select {
		case ch <- e:
		case <-quit:
		}
	}), quit)
	k.onFinish = func() { close(ch) }
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		s.detachLocked(k)
		s.mu.Unlock()
		k.abandon()
		k.close(context.Background())
	}
}

// AddObserver attaches o to the scheduler from now on, as [WithObserver]
// does at creation: o gets every later event it takes (see [EventFilter]
// and [Attacher]) in order on a goroutine of its own, and [Scheduler.Wait]
// and Shutdown wait for its deliveries. The returned function detaches o
// after delivering the events recorded until then; it may be called more
// than once. After Shutdown, AddObserver attaches nothing. Unlike
// [Scheduler.Subscribe], an observer that filters makes the scheduler
// record only the events it takes.
func (s *Scheduler) AddObserver(o Observer) (remove func()) {
	if o == nil || !attachSafely(o, s, s.cfg.logger) {
		return func() {}
	}
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return func() {}
	}
	k := s.addSinkLocked(o, nil)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.detachLocked(k)
		s.mu.Unlock()
		k.close(context.Background())
	}
}
