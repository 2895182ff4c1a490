package dagq

import (
	"fmt"
	"time"
)

type runState uint8

const (
	stateNew     runState = iota // accepting tasks, not dispatching
	stateRunning                 // dispatching
	stateAborted                 // Start's ctx ended: new tasks are killed
	stateClosed                  // Shutdown: new tasks fail with ErrClosed
)

// Scheduler runs a graph of tasks over queues and backends. Create one
// with [New], add queues with [Scheduler.Queue], submit tasks with
// [Submit], [Then], [Join] or [Scheduler.Add], and run it with
// [Scheduler.Start] and [Scheduler.Wait] (or [Scheduler.Run]). All its
// methods are safe for concurrent use, and tasks may be submitted before
// or after Start.
//
// The scheduler starts no goroutine of its own while idle: tasks run on
// worker goroutines that it starts when a slot frees and that run one
// ready task after another until no more can start, and observers are fed
// by goroutines that exist only while events wait for them.
type Scheduler struct {
	engine // the state and what changes it (engine.go): Scheduler is its public face
}

// New returns a scheduler configured by opts, with a queue named
// "default" of size GOMAXPROCS and the backends "local" ([Local]) and
// "exec" ([Exec] with default options). It panics on
// contradictory options (a default backend that is not registered, an
// invalid resource pool), which are programming errors.
func New(opts ...Option) *Scheduler {
	s := &Scheduler{engine{
		cfg:      newConfig(opts),
		epoch:    time.Now().Add(-1), // so that no stamp taken after New is 0
		backends: map[string]*backendEntry{"local": newBackendEntry("local", Local()), "exec": newBackendEntry("exec", Exec())},
		pools:    map[string]*pool{},
		byName:   map[string]*node{},
		queues:   map[string]*Queue{},
	}}
	s.parallelism = s.cfg.parallelism
	for _, nb := range s.cfg.backends {
		e := newBackendEntry(nb.name, nb.b)
		if cn, ok := nb.b.(CapacityNotifier); ok {
			cn.NotifyCapacity(func() { s.wake(e) })
		}
		s.backends[nb.name] = e
	}
	var ok bool
	if s.defBack, ok = s.backends[s.cfg.defaultBackend]; !ok {
		panic(fmt.Sprintf("dagq: New: default backend %q is not registered", s.cfg.defaultBackend))
	}
	for _, r := range s.cfg.resources {
		if r.name == "" || r.capacity < 1 || s.pools[r.name] != nil {
			panic(fmt.Sprintf("dagq: New: invalid or duplicate %v", r))
		}
		s.pools[r.name] = &pool{name: r.name, capacity: r.capacity}
	}
	s.store = s.cfg.store
	if s.store == nil {
		s.store = MemoryStore()
	}
	for _, o := range s.cfg.observers {
		if !attachSafely(o, s, s.cfg.logger) {
			continue
		}
		if k := s.addSinkLocked(o, nil); k.filter != nil {
			k.want.Store(k.interest()) // no lock is held yet; the first event makes it s.want
		}
	}
	s.def = s.newQueueLocked("default", s.cfg.defaultSize, fmt.Sprintf("size %d", s.cfg.defaultSize), queueConfig{})
	return s
}

// now returns the time since the epoch in nanoseconds (always > 0).
func (e *engine) now() int64 { return int64(time.Since(e.epoch)) }

// Pause stops starting tasks; running tasks go on, and submissions are
// still accepted. Nothing is lost or run twice. Safe to call repeatedly.
func (s *Scheduler) Pause() {
	s.mu.Lock()
	s.paused = true
	s.mu.Unlock()
}

// Resume starts tasks again after Pause.
func (s *Scheduler) Resume() {
	s.mu.Lock()
	s.paused = false
	s.dispatchLocked(false)
	s.mu.Unlock()
}

// SetParallelism changes the global cap on running tasks (0 = none) while
// running; lowering it lets running tasks finish.
func (s *Scheduler) SetParallelism(n int) {
	s.mu.Lock()
	s.parallelism = max(n, 0)
	s.dispatchLocked(false)
	s.mu.Unlock()
}

// wake retries dispatch, for backends whose capacity grew by itself.
func (e *engine) wake(b *backendEntry) {
	e.mu.Lock()
	if b.pub != nil {
		e.publishSafely(b)
	}
	e.dispatchLocked(false)
	e.mu.Unlock()
}

// Cancel kills the task id if it has not finished, and at once every task
// that transitively depends on it, each with a reason naming the cause. A
// running task's context is cancelled with a cause wrapping [ErrKilled];
// its slot is freed when its function returns, and only then do its
// AnySucceeded and AllDone dependents (cleanup) go on, so that they never
// run beside a killed attempt still winding down (an [Exec] command
// handling SIGTERM: they start once its process group is gone).
// Cancelling an unknown or finished task does nothing. A subtree of more
// than a few thousand tasks is killed in slices of about a millisecond,
// the scheduler's lock released between them: submissions, tasks ending,
// Stats and observers go on meanwhile, while the tasks not reached yet
// stay Blocked and no task starts until the whole subtree is killed (as
// if it were killed at once). Cancel returns once every one is killed.
func (s *Scheduler) Cancel(id TaskID, reason string) { s.cancel(id, reason) }

// cancel is Cancel, for the engine's own callers (Feed).
func (e *engine) cancel(id TaskID, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.nodeLocked(id)
	if n == nil || n.status.Terminal() {
		e.awaitResolvedLocked() // its subtree may still be being killed
		return
	}
	if reason == "" {
		reason = "no reason given"
	}
	now := e.now()
	e.killLocked(n, "cancelled: "+reason, now)
	e.resolveLocked(n, now)
	e.dispatchLocked(false)
	e.awaitResolvedLocked() // a large subtree is killed in slices
}

// Stats returns a snapshot of the counters, in total and per queue.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statsLocked()
}

func (e *engine) statsLocked() Stats {
	st := Stats{Counts: e.counts, Queues: make(map[string]Counts, len(e.queueList))}
	for _, q := range e.queueList {
		st.Queues[q.name] = q.counts
	}
	return st
}

// Task returns the snapshot of task id.
func (s *Scheduler) Task(id TaskID) (TaskInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.nodeLocked(id); n != nil {
		return n.info(), true
	}
	return TaskInfo{}, false
}

// Lookup returns the snapshot of the most recent task named name.
func (s *Scheduler) Lookup(name string) (TaskInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.byName[name]; n != nil {
		return n.info(), true
	}
	return TaskInfo{}, false
}

func (e *engine) nodeLocked(id TaskID) *node {
	if id == 0 || id > TaskID(e.nodes.Len()) {
		return nil
	}
	return *e.nodes.At(int(id - 1))
}
