package dagq

import (
	"log/slog"
	"slices"
	"sync/atomic"
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
// obs in turn; a panic in one does not keep the event from the others. It
// answers the optional interfaces for them together: it is an
// [EventFilter] that takes an event if one of obs does (and gives it only
// to those), a [QueueStatsReader] that reads the queues' counts if one of
// obs does, and an [Attacher] that attaches those of obs that are; one
// that then takes no events is no longer given any.
func MultiObserver(obs ...Observer) Observer {
	return &multiObserver{obs: slices.Clone(obs), detached: make([]atomic.Bool, len(obs))}
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
