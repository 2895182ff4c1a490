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

	mu      sync.Mutex    // guards the fields below
	chunks  [][]Event     // waiting events in order, in chunks of eventChunk
	spare   [][]Event     // the emptied list of chunks, for reuse
	free    [][]Event     // emptied chunks, for reuse (at most maxFreeChunks)
	running bool          // a delivery goroutine exists
	idle    chan struct{} // closed when the goroutine exits with nothing left; made on demand
	done    sync.WaitGroup

	queues   map[string]Counts // replica of per-queue counts; owned by the delivery goroutine
	noQueues bool              // the observer never reads Stats.Queues: do not build it

	finishOnce sync.Once
	onFinish   func() // run once after the sink's last delivery (closes a subscription's channel)
}

func newSink(o Observer, log *slog.Logger, quit chan struct{}) *sink {
	k := &sink{obs: o, log: log, quit: quit, queues: map[string]Counts{}}
	_, k.noQueues = o.(queuesUnused)
	return k
}

// queuesUnused is implemented by this package's observers that never read
// Event.Stats.Queues, sparing their sinks a map copy per event (the main
// cost of delivering an event).
type queuesUnused interface{ queuesUnused() }

// Waiting events are kept in fixed-size chunks, recycled once delivered:
// a lagging observer's backlog then grows without copying what it holds
// (as one growing slice would, under the scheduler's lock) and, in steady
// state, without allocating.
const (
	eventChunk    = 256
	maxFreeChunks = 16
)

// push queues e and makes sure a goroutine delivers it. Called with the
// scheduler's lock held, which orders events across sinks.
func (k *sink) push(e Event) {
	k.mu.Lock()
	last := len(k.chunks) - 1
	if last < 0 || len(k.chunks[last]) == eventChunk {
		var c []Event
		if n := len(k.free); n > 0 {
			c, k.free = k.free[n-1], k.free[:n-1]
		} else {
			c = make([]Event, 0, eventChunk)
		}
		k.chunks = append(k.chunks, c)
		last++
	}
	k.chunks[last] = append(k.chunks[last], e)
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
		if len(k.chunks) == 0 {
			k.running = false
			if k.idle != nil {
				close(k.idle)
				k.idle = nil
			}
			k.mu.Unlock()
			return
		}
		batch := k.chunks
		k.chunks = k.spare[:0]
		k.mu.Unlock()
		for i, c := range batch {
			k.deliverChunk(c)
			batch[i] = nil
			k.mu.Lock()
			if len(k.free) < maxFreeChunks {
				k.free = append(k.free, c[:0])
			}
			k.mu.Unlock()
		}
		k.mu.Lock()
		k.spare = batch[:0]
		k.mu.Unlock()
	}
}

// deliverChunk hands the events of c to the observer and clears c, so
// that it can be reused.
func (k *sink) deliverChunk(c []Event) {
	for i := range c {
		e := &c[i]
		if !k.noQueues {
			if e.Task.Queue != "" {
				k.queues[e.Task.Queue] = e.queueCounts
			}
			e.Stats.Queues = maps.Clone(k.queues)
		}
		if k.quit != nil {
			select {
			case <-k.quit:
				continue
			default:
			}
		}
		observeSafely(k.obs, *e, k.log)
	}
	clear(c)
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
