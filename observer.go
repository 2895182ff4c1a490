package dagq

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"time"
)

// Observer receives every event of a run (see [Event]). The scheduler
// calls Observe from a goroutine of the observer's own, one event at a
// time, in one global order consistent with causality; it never holds its
// locks while doing so, and a slow observer never delays dispatch: events
// wait for it in an unbounded queue (memory grows while it lags). A panic
// in Observe is logged to the scheduler's logger and the next event is
// delivered. Observe may call the scheduler's methods, except Wait and
// Shutdown, which wait for the observer itself.
type Observer interface {
	Observe(Event)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }

// MultiObserver returns an observer that passes each event to every one of
// obs in turn; a panic in one does not keep the event from the others.
func MultiObserver(obs ...Observer) Observer {
	obs = append([]Observer(nil), obs...)
	return ObserverFunc(func(e Event) {
		for _, o := range obs {
			observeSafely(o, e, nil)
		}
	})
}

// observeSafely calls o.Observe(e), logging a panic instead of crashing.
func observeSafely(o Observer, e Event, log *slog.Logger) {
	defer func() {
		if r := recover(); r != nil && log != nil {
			log.Error("dagq: observer panicked", "event", e.Kind, "task", e.Task.ID, "panic", r)
		}
	}()
	o.Observe(e)
}

// sink delivers events to one observer, in order, on a goroutine that
// exists only while events are waiting.
type sink struct {
	obs  Observer
	log  *slog.Logger
	quit chan struct{} // closed to abandon delivery (unsubscribe); nil for observers

	mu      sync.Mutex // guards the fields below
	buf     []Event
	spare   []Event
	running bool          // a delivery goroutine exists
	idle    chan struct{} // closed when the goroutine exits with nothing left; made on demand
	done    sync.WaitGroup

	queues map[string]Counts // replica of per-queue counts; owned by the delivery goroutine

	finishOnce sync.Once
	onFinish   func() // run once after the sink's last delivery (closes a subscription's channel)
}

func newSink(o Observer, log *slog.Logger, quit chan struct{}) *sink {
	return &sink{obs: o, log: log, quit: quit, queues: map[string]Counts{}}
}

// push queues e and makes sure a goroutine delivers it. Called with the
// scheduler's lock held, which orders events across sinks.
func (k *sink) push(e Event) {
	k.mu.Lock()
	k.buf = append(k.buf, e)
	if !k.running {
		k.running = true
		k.done.Add(1)
		go k.deliver()
	}
	k.mu.Unlock()
}

func (k *sink) deliver() {
	defer k.done.Done()
	for {
		k.mu.Lock()
		if len(k.buf) == 0 {
			k.running = false
			if k.idle != nil {
				close(k.idle)
				k.idle = nil
			}
			k.mu.Unlock()
			return
		}
		batch := k.buf
		k.buf = k.spare[:0]
		k.mu.Unlock()
		for i := range batch {
			e := &batch[i]
			if e.Task.Queue != "" {
				k.queues[e.Task.Queue] = e.queueCounts
			}
			e.Stats.Queues = maps.Clone(k.queues)
			if k.quit != nil {
				select {
				case <-k.quit:
					continue
				default:
				}
			}
			observeSafely(k.obs, *e, k.log)
		}
		clear(batch)
		k.mu.Lock()
		k.spare = batch[:0]
		k.mu.Unlock()
	}
}

// drain blocks until every event pushed so far has been delivered, or ctx
// ends (then it returns ctx.Err()).
func (k *sink) drain(ctx context.Context) error {
	k.mu.Lock()
	if !k.running {
		k.mu.Unlock()
		return nil
	}
	if k.idle == nil {
		k.idle = make(chan struct{})
	}
	ch := k.idle
	k.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close drains the sink until ctx ends, then abandons what is left (only
// subscriptions can be abandoned), waits for its goroutine and finishes it.
// The sink must no longer receive events.
func (k *sink) close(ctx context.Context) {
	if k.drain(ctx) != nil && k.quit != nil {
		k.abandon()
	}
	k.done.Wait()
	if k.onFinish != nil {
		k.finishOnce.Do(k.onFinish)
	}
}

// abandon stops delivery of anything not yet delivered; idempotent.
func (k *sink) abandon() {
	k.mu.Lock()
	defer k.mu.Unlock()
	select {
	case <-k.quit:
	default:
		close(k.quit)
	}
}

// emitLocked builds a task event and hands it to every sink.
func (s *Scheduler) emitLocked(kind EventKind, n *node, from Status, reason string, now int64) {
	s.pushLocked(s.taskEventLocked(kind, n, from, reason, now))
}

// taskEventLocked builds a task event.
func (s *Scheduler) taskEventLocked(kind EventKind, n *node, from Status, reason string, now int64) Event {
	return Event{
		Kind:        kind,
		Time:        s.epoch.Add(time.Duration(now)),
		Task:        n.info(),
		From:        from,
		To:          n.status,
		Reason:      reason,
		Stats:       Stats{Counts: s.counts},
		queueCounts: n.q.counts,
	}
}

// pushLocked hands e to every sink.
func (s *Scheduler) pushLocked(e Event) {
	for _, k := range s.sinks {
		k.push(e)
	}
}

// emitRunLocked hands a run event (RunStarted, RunIdle, RunStopped) to
// every sink.
func (s *Scheduler) emitRunLocked(kind EventKind, now int64) {
	if len(s.sinks) == 0 {
		return
	}
	e := Event{Kind: kind, Time: s.epoch.Add(time.Duration(now)), Stats: Stats{Counts: s.counts}}
	for _, k := range s.sinks {
		k.push(e)
	}
}

// observerSinksLocked returns the sinks of observers given to New.
func (s *Scheduler) observerSinksLocked() []*sink {
	var out []*sink
	for _, k := range s.sinks {
		if k.quit == nil {
			out = append(out, k)
		}
	}
	return out
}
