package dagq

import (
	"context"
	"log/slog"
	"maps"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dagq/dagq/internal/eventlog"
	"github.com/dagq/dagq/internal/signal"
)

// eventLog holds the records of a scheduler's events once, for every
// sink: the scheduler appends under its lock, each sink reads at its own
// pace without it.
type eventLog = eventlog.Log[record, recordMore]

// logPos is a sink's position in the event log.
type logPos = eventlog.Pos[record, recordMore]

// cacheLine is how many bytes keep apart what the scheduler and a sink's
// goroutine write (two lines, for adjacent-line prefetch).
const cacheLine = 128

// sink delivers events to one observer, in order, on a goroutine that
// exists only while events wait for it. It reads the scheduler's event
// log from where it was attached, builds each [Event] from
// its record, and keeps its own replica of the counters, which every task
// event updates.
type sink struct {
	obs      Observer
	log      *slog.Logger
	quit     chan struct{} // closed to abandon delivery (unsubscribe); nil for observers
	l        *eventLog
	epoch    time.Time
	noQueues bool        // the observer never reads Stats.Queues: do not build it
	filter   EventFilter // the observer's, if it ignores some events

	// running is read by the scheduler at every event: it has cache lines
	// of its own, away from what delivery writes.
	_       [cacheLine]byte
	running atomic.Bool // a delivery goroutine exists
	_       [cacheLine]byte

	// Owned by the delivering goroutine (the one that set running).
	at     logPos            // the next record to deliver
	counts Counts            // replica of the scheduler's counts
	queues map[string]Counts // replica of the per-queue counts, unless noQueues
	ids    []TaskID          // storage for the snapshots' Deps, filled in order
	yields int               // how many times to yield after a small batch
	asked  uint64            // the events (see evBit) whose answer is known in this batch
	on     uint64            // of those, the enabled ones

	// want is the sink's interest (see evBit): every event, or for a
	// filter those it takes now, which its delivering goroutine finds out
	// again when refresh is set (see Scheduler.wantsLocked).
	want    atomic.Uint64
	refresh atomic.Bool

	delivered atomic.Uint64 // sequence number of the next record to deliver
	stop      atomic.Uint64 // sequence number where to stop (detached from the log); max = none
	done      sync.WaitGroup

	mu      sync.Mutex    // guards idle
	idle    signal.Signal // broadcast when delivered moves while someone waits
	waiting atomic.Bool   // idle.Waiting(), read without mu

	finishOnce sync.Once
	onFinish   func() // run once after the sink's last delivery (closes a subscription's channel)
}

// After delivering fewer records than smallBatch, a sink yields before it
// looks for more, twice as many times (up to maxYields) after each such
// batch in a row, and half as many after a larger one. A sink that keeps
// up with the scheduler would otherwise poll the log's sequence number at
// every record published, making each publication wait for the cache
// line (and each delivery a batch of one or two records); once it has
// caught up, the scheduler writes ahead for a few microseconds before the
// sink looks again. A sink that finds nothing new after yielding leaves.
// The yields cost CPU time on a core the scheduler leaves idle (a sink
// that falls behind does not yield): at most 16 of them cost about a
// quarter as much, for a somewhat higher ratio of an observed run to a
// bare one.
const (
	smallBatch = 16
	maxYields  = 64
)

// depsChunk is how many dependency IDs a sink stores per allocation.
const depsChunk = 4096

// addSinkLocked attaches a sink for o to the event log, from the next
// event on. quit is nil for observers (of New or AddObserver).
func (e *engine) addSinkLocked(o Observer, quit chan struct{}) *sink {
	k := &sink{obs: o, log: e.cfg.logger, quit: quit, l: &e.events, epoch: e.epoch, counts: e.counts}
	if k.noQueues = !readsQueues(o); !k.noQueues {
		k.queues = e.statsLocked().Queues
	}
	k.filter, _ = o.(EventFilter)
	k.want.Store(allEvents)
	if k.filter != nil {
		e.filters++
	}
	e.want |= allEvents
	k.at = e.events.AttachLocked()
	k.delivered.Store(k.at.Seq())
	k.stop.Store(math.MaxUint64)
	e.sinks = append(e.sinks, k)
	return k
}

// allEvents is the interest of a sink that takes every event.
const allEvents = ^uint64(0)

// evBit returns the bit that stands for events of this kind and
// transition in a sink's interest. A task event's kind follows from its
// transition, which has a bit of its own; a run event (no transition)
// takes one of the bits no transition uses, by kind.
func evBit(kind kindIndex, from, to Status) uint64 {
	if to == 0 {
		return 1 << (uint(kind)<<3 | 7)
	}
	return 1 << (uint(from)<<3 | uint(to))
}

// eventType is a kind of event with its transition.
type eventType struct {
	kind     EventKind
	from, to Status
}

// eventTypes are all the events the scheduler emits, by kind and
// transition.
var eventTypes = []eventType{
	{RunStarted, 0, 0}, {RunIdle, 0, 0}, {RunStopped, 0, 0},
	{TaskSubmitted, 0, Blocked},
	{TaskQueued, Blocked, Queued}, {TaskQueued, Running, Queued},
	{TaskStarted, Queued, Running},
	{TaskItem, Running, Running},
	{TaskFinished, Running, Succeeded}, {TaskFinished, Blocked, Succeeded},
	{TaskFinished, Running, Failed}, {TaskFinished, Queued, Failed}, {TaskFinished, Blocked, Failed},
	{TaskFinished, Blocked, Killed}, {TaskFinished, Queued, Killed}, {TaskFinished, Running, Killed},
}

// interest returns the events the sink's observer takes now, as a mask
// of evBit: all of them unless it filters them. It calls the filter,
// which may be the application's code: callers hold no lock.
func (k *sink) interest() uint64 {
	if k.filter == nil {
		return allEvents
	}
	var m uint64
	for _, t := range eventTypes {
		if enabledSafely(k.filter, t.kind, t.from, t.to) {
			m |= evBit(indexOf(t.kind), t.from, t.to)
		}
	}
	return m
}

// filterRefresh is how often (in scheduler time, while events happen)
// the scheduler asks filtering sinks what they take, and what they
// answered the previous time becomes its own interest: a change of a
// LogObserver's level applies to the events from at most two periods
// later.
const filterRefresh = 10 * time.Millisecond

// wantsLocked reports whether a sink may take a task or run event of
// this kind and transition, happening at now: only then is it recorded.
// The answer comes from s.want, the union of the sinks' interests, which
// it renews every filterRefresh while filtering sinks are attached.
func (e *engine) wantsLocked(kind EventKind, from, to Status, now int64) bool {
	if len(e.sinks) == 0 {
		return false
	}
	if e.filters > 0 && now >= e.refreshAt {
		w := uint64(0)
		for _, k := range e.sinks {
			w |= k.want.Load()
			if k.filter != nil {
				k.refresh.Store(true)
				k.wake()
			}
		}
		e.want, e.refreshAt = w, now+int64(filterRefresh)
	}
	return e.want&evBit(indexOf(kind), from, to) != 0
}

// wake makes sure a goroutine delivers what was published. Called with
// the scheduler's lock held.
func (k *sink) wake() {
	if !k.running.Load() && k.running.CompareAndSwap(false, true) {
		k.done.Add(1)
		go k.deliver()
	}
}

// deliver delivers records until none is left. Before it exits it looks
// once more, after clearing running: a record published in between is
// either seen here or wakes another goroutine.
func (k *sink) deliver() {
	defer k.done.Done()
	k.yields = 1
	for {
		if k.refresh.Swap(false) {
			k.want.Store(k.interest())
		}
		k.deliverReady()
		pos := k.delivered.Load()
		k.running.Store(false)
		if k.quitting() || k.limit() <= pos && !k.refresh.Load() || !k.running.CompareAndSwap(false, true) {
			return
		}
	}
}

// limit returns the sequence number after the last record the sink may
// deliver.
func (k *sink) limit() uint64 { return min(k.l.Seq(), k.stop.Load()) }

// deliverReady delivers the records published so far, chunk by chunk,
// handing back each chunk it leaves.
func (k *sink) deliverReady() {
	for !k.quitting() {
		c := k.at.C
		avail := k.limit() - c.Base()
		if avail <= uint64(k.at.I) {
			return
		}
		if k.at.I == eventlog.ChunkLen {
			k.at = logPos{C: c.Next()}
			k.l.Release(c)
			continue
		}
		end := int32(min(avail, eventlog.ChunkLen))
		k.asked = 0
		for i := k.at.I; i < end; i++ {
			if k.quitting() {
				return
			}
			k.deliverRecord(&c.Recs[i])
		}
		small := end-k.at.I < smallBatch
		k.at.I = end
		k.delivered.Store(k.at.Seq())
		if k.waiting.Load() {
			k.mu.Lock()
			k.idle.Broadcast()
			k.waiting.Store(false)
			k.mu.Unlock()
		}
		if small {
			for range k.yields {
				runtime.Gosched()
			}
			k.yields = min(2*k.yields, maxYields)
		} else {
			k.yields = max(k.yields/2, 1)
		}
	}
}

// deliverRecord updates the sink's counters with r, then builds the event
// of r and hands it to the observer, unless it ignores such events.
func (k *sink) deliverRecord(r *record) {
	n := r.n
	if n != nil {
		k.counts.add(r.from, r.to)
		if !k.noQueues {
			qc := k.queues[n.q.name]
			qc.add(r.from, r.to)
			k.queues[n.q.name] = qc
		}
	} else if r.more != nil {
		k.counts = r.more.counts // exact even for a sink that does not see every task event
	}
	if k.filter != nil && !k.wants(r) {
		return
	}
	e := Event{Kind: eventKinds[r.kind], Time: k.epoch.Add(time.Duration(r.now)), From: r.from, To: r.to, Reason: r.reason(), Item: r.Item}
	if n != nil {
		e.Task = r.taskInfo(k.epoch, k.depIDs(n))
	}
	e.Stats.Counts = k.counts
	if !k.noQueues {
		e.Stats.Queues = maps.Clone(k.queues)
	}
	observeSafely(k.obs, e, k.log)
}

// wants reports whether the observer's filter takes r, asking it about
// r's kind and transition once per batch.
func (k *sink) wants(r *record) bool {
	bit := evBit(r.kind, r.from, r.to)
	if k.asked&bit == 0 {
		k.asked |= bit
		if enabledSafely(k.filter, eventKinds[r.kind], r.from, r.to) {
			k.on |= bit
		} else {
			k.on &^= bit
		}
	}
	return k.on&bit != 0
}

// depIDs returns the IDs of n's dependencies, in storage of the sink's
// that is never written again (the slice's capacity is its length).
func (k *sink) depIDs(n *node) []TaskID {
	d := len(n.deps)
	if d == 0 {
		return nil
	}
	if cap(k.ids)-len(k.ids) < d {
		k.ids = make([]TaskID, 0, max(depsChunk, d))
	}
	from := len(k.ids)
	k.ids = n.appendDepIDs(k.ids)
	return k.ids[from:len(k.ids):len(k.ids)]
}

func (k *sink) quitting() bool {
	if k.quit == nil {
		return false
	}
	select {
	case <-k.quit:
		return true
	default:
		return false
	}
}

// drain blocks until every event published before it was called has been
// delivered, the sink is abandoned, or ctx ends (then it returns
// ctx.Err()).
func (k *sink) drain(ctx context.Context) error {
	target := k.limit()
	for k.delivered.Load() < target {
		k.mu.Lock()
		ch := k.idle.C()
		k.waiting.Store(true)
		k.mu.Unlock()
		if k.delivered.Load() >= target { // delivered moved before waiting was seen
			return nil
		}
		select {
		case <-ch:
		case <-k.quit:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// detachLocked makes the sink stop at the next event: it no longer
// receives events, and is not counted in the log's later chunks.
func (e *engine) detachLocked(k *sink) {
	e.sinks = slices.DeleteFunc(e.sinks, func(o *sink) bool { return o == k })
	if k.filter != nil {
		e.filters--
	}
	k.stop.Store(e.events.EndLocked().Seq())
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

// taskEventLocked records a task event in the log, not yet published: the
// caller may complete it (Item), then hands it over with pushLocked
// before releasing the lock.
func (e *engine) taskEventLocked(kind EventKind, n *node, from Status, reason string, now int64) *record {
	r := e.events.ReserveLocked(len(e.sinks))
	var m *recordMore
	if needsMore(n, reason) {
		m = e.events.MoreLocked()
	}
	r.setLocked(kind, n, from, reason, now, m)
	return r
}

// publishLocked publishes r, the record just returned by taskEventLocked,
// and wakes the sinks.
func (e *engine) publishLocked(r *record) {
	e.events.PublishLocked(r)
	for _, k := range e.sinks {
		k.wake()
	}
}

// emitRunLocked hands a run event (RunStarted, RunIdle, RunStopped) to
// every sink that takes it, with the scheduler's counters.
func (e *engine) emitRunLocked(kind EventKind, now int64) {
	if !e.wantsLocked(kind, 0, 0, now) {
		return
	}
	r := e.events.ReserveLocked(len(e.sinks))
	m := e.events.MoreLocked()
	*m = recordMore{counts: e.counts}
	*r = record{kind: indexOf(kind), now: now, more: m}
	e.publishLocked(r)
}

// observerSinksLocked returns the sinks of observers (of New or AddObserver).
func (e *engine) observerSinksLocked() []*sink {
	var out []*sink
	for _, k := range e.sinks {
		if k.quit == nil {
			out = append(out, k)
		}
	}
	return out
}
