package dagq

import (
	"log/slog"
	"sync/atomic"
)

// EventFilter is an optional interface of an [Observer] that acts on some
// events only, as [slog.Handler]'s Enabled does for log records. Enabled
// reports whether Observe would do anything with an event of this kind
// that moves a task from one status to another (both 0 for the run's own
// events; Running to Running for [TaskItem]).
//
// The sink of a filtering observer builds and hands over only the events
// it takes, and the scheduler does not even record the events that no
// observer takes. Enabled is called outside the scheduler's locks, on
// the observer's goroutine, at most once per kind and transition in each
// batch of events delivered, and for each kind and transition every
// 10 ms while events happen: its answer may change over time (a
// [slog.LevelVar]), and applies to the events from at most 20 ms after the
// change. A panic in Enabled counts as true. In the events a filtering
// observer takes, Stats is exact for the run's own events only: in task
// events it counts the transitions that some observer took.
type EventFilter interface {
	Enabled(kind EventKind, from, to Status) bool
}

// QueueStatsReader is an optional interface of an [Observer] that says
// whether it reads Event.Stats.Queues. One that does not gets events whose
// Stats.Queues is nil, which spares its delivery a copy of the per-queue
// counts at every event (the main cost of building an event). Asked once,
// when the observer is attached; an observer that does not implement it
// is taken to read them.
type QueueStatsReader interface {
	ReadsQueueStats() bool
}

// Attacher is an optional interface of an [Observer] given to
// [WithObserver] or [Scheduler.AddObserver]: [New] (or AddObserver) calls
// Attach with the scheduler before any event, so that the observer can read what the scheduler keeps anyway
// ([Scheduler.Tasks]) instead of copying it from events. Attach returns
// whether Observe should also be given the scheduler's events: one that
// reads all it needs from the scheduler returns false and costs the run
// nothing, as a [Recorder] does. A panic in Attach is logged and counts
// as true.
type Attacher interface {
	Attach(s *Scheduler) (observe bool)
}

// attachSafely calls o.Attach(s) if o is an Attacher and reports whether
// o takes the scheduler's events.
func attachSafely(o Observer, s *Scheduler, log *slog.Logger) (observe bool) {
	a, ok := o.(Attacher)
	if !ok {
		return true
	}
	defer func() {
		if r := recover(); r != nil {
			observe = true
			log.Error("dagq: observer's Attach panicked", "panic", r)
		}
	}()
	return a.Attach(s)
}

// readsQueues reports whether o reads Event.Stats.Queues (a panic answers
// yes).
func readsQueues(o Observer) (reads bool) {
	r, ok := o.(QueueStatsReader)
	if !ok {
		return true
	}
	defer func() {
		if recover() != nil {
			reads = true
		}
	}()
	return r.ReadsQueueStats()
}

// enabledSafely asks f about events of this kind and transition; a panic
// answers yes (Observe then meets it again, and it is logged).
func enabledSafely(f EventFilter, kind EventKind, from, to Status) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = true
		}
	}()
	return f.Enabled(kind, from, to)
}

// multiObserver is what MultiObserver returns: it passes each event to
// those of its observers that take it, and answers for them together.
type multiObserver struct {
	obs      []Observer
	detached []atomic.Bool // by index in obs: attached to a scheduler, it takes no events
}

func (m *multiObserver) Observe(e Event) {
	for i, o := range m.obs {
		if m.detached[i].Load() {
			continue
		}
		if f, ok := o.(EventFilter); ok && !enabledSafely(f, e.Kind, e.From, e.To) {
			continue
		}
		observeSafely(o, e, nil)
	}
}

// Enabled reports whether one of the observers takes such events.
func (m *multiObserver) Enabled(kind EventKind, from, to Status) bool {
	for i, o := range m.obs {
		if m.detached[i].Load() {
			continue
		}
		if f, ok := o.(EventFilter); !ok || enabledSafely(f, kind, from, to) {
			return true
		}
	}
	return false
}

// ReadsQueueStats reports whether one of the observers reads them.
func (m *multiObserver) ReadsQueueStats() bool {
	for i, o := range m.obs {
		if !m.detached[i].Load() && readsQueues(o) {
			return true
		}
	}
	return false
}

// Attach attaches the observers that are Attachers; those that then take
// no events are no longer given any.
func (m *multiObserver) Attach(s *Scheduler) bool {
	observe := false
	for i, o := range m.obs {
		if !m.detached[i].Load() && !attachSafely(o, s, s.cfg.logger) {
			m.detached[i].Store(true)
		}
		observe = observe || !m.detached[i].Load()
	}
	return observe
}
