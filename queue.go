package dagq

import (
	"fmt"
	"slices"
	"strings"
)

// Queue is a named set of tasks with its own size: at most Size of its
// tasks run at once. Its policy orders its ready tasks. Queues are
// independent: a full queue never blocks another. A Queue's methods are
// safe for concurrent use.
type Queue struct {
	s    *engine
	name string
	desc string // the settings it was created with, to compare re-creations

	// Guarded by s.mu.
	size     int
	busy     int // slots held by executing tasks
	policy   Policy
	ready    ReadySet
	tracker  RunTracker  // ready, if it tracks runs
	remover  TaskRemover // ready, if it removes
	ranked   Ranked      // ready, if it ranks its best task against other queues'
	unpopper Unpopper    // ready, if it puts back popped tasks itself
	rekeyer  Rekeyer     // ready, if its policy orders by ranks and it hears of their changes
	counts   Counts
	skipped  []*node // set aside during one dispatch round
	full     bool    // looked past too many tasks this round
	capped   bool    // all its slots were taken when a dispatch round looked
	opened   int64   // when a slot last freed after that, for Targeted

	broken error     // why its plug-ins can no longer be trusted (guard.go)
	run    *queueRun // strategy and run limits; nil without (pacing.go)
}

// QueueOption configures a queue at creation.
type QueueOption interface {
	applyQueue(*queueConfig)
	String() string
}

type queueConfig struct {
	policy Policy
	ready  ReadySet  // the policy's, made before the lock is taken
	run    runConfig // strategy and run limits (limits.go)
}

type queuePolicyOption struct{ p Policy }

func (o queuePolicyOption) applyQueue(c *queueConfig) { c.policy = o.p }
func (o queuePolicyOption) String() string            { return fmt.Sprintf("WithQueuePolicy(%v)", o.p) }

// WithQueuePolicy sets the queue's policy; without it the queue uses the
// scheduler's (see [WithPolicy]).
func WithQueuePolicy(p Policy) QueueOption { return queuePolicyOption{p} }

// Queue returns the queue named name, creating it with the given size and
// options. Asking again with the same name and settings returns the same
// queue; different settings are an error, as are an empty name, a size
// below 1 and invalid options. Safe for concurrent use, also while running.
func (s *Scheduler) Queue(name string, size int, opts ...QueueOption) (*Queue, error) {
	if name == "" {
		return nil, fmt.Errorf("dagq: queue: empty name")
	}
	if size < 1 {
		return nil, fmt.Errorf("dagq: queue %q: size %d, want at least 1", name, size)
	}
	var c queueConfig
	descs := make([]string, 0, len(opts)+1)
	descs = append(descs, fmt.Sprintf("size %d", size))
	for _, o := range opts {
		if o == nil {
			continue
		}
		o.applyQueue(&c)
		descs = append(descs, o.String())
	}
	if err := c.run.build(); err != nil {
		return nil, fmt.Errorf("dagq: queue %q: %w", name, err)
	}
	slices.Sort(descs[1:])
	desc := strings.Join(descs, ", ")
	var err error
	if c.ready, err = newReadySet(s.policyOf(c)); err != nil {
		return nil, fmt.Errorf("dagq: queue %q: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		if q.desc != desc {
			return nil, fmt.Errorf("dagq: queue %q exists with settings (%s), asked for (%s)", name, q.desc, desc)
		}
		return q, nil
	}
	if s.state == stateClosed {
		return nil, fmt.Errorf("dagq: queue %q: %w", name, ErrClosed)
	}
	return s.newQueueLocked(name, size, desc, c), nil
}

// policyOf returns the policy a queue made with c uses.
func (e *engine) policyOf(c queueConfig) Policy {
	if c.policy != nil {
		return c.policy
	}
	return e.cfg.policy
}

func (e *engine) newQueueLocked(name string, size int, desc string, c queueConfig) *Queue {
	p := e.policyOf(c)
	q := &Queue{s: e, name: name, desc: desc, size: size, policy: p, ready: c.ready, run: c.run.built}
	if q.ready == nil {
		var err error
		if q.ready, err = newReadySet(p); err != nil {
			// New's default queue: its tasks fail with err (guard.go).
			q.ready, q.broken = FIFO().NewReadySet(), fmt.Errorf("dagq: queue %q: %w", name, err)
		}
	}
	q.tracker, _ = q.ready.(RunTracker)
	q.remover, _ = q.ready.(TaskRemover)
	q.ranked, _ = q.ready.(Ranked)
	q.unpopper, _ = q.ready.(Unpopper)
	e.attachPolicyLocked(q)
	e.queues[name] = q
	e.queueList = append(e.queueList, q)
	return q
}

// DefaultQueue returns the queue named "default", of size GOMAXPROCS at
// New, used by tasks of Specs that name no queue.
func (s *Scheduler) DefaultQueue() *Queue { return s.def }

// Name returns the queue's name.
func (q *Queue) Name() string { return q.name }

// Size returns how many of the queue's tasks may run at once.
func (q *Queue) Size() int {
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	return q.size
}

// SetSize changes the queue's size while running. Growing it starts more
// tasks at once; shrinking it lets running tasks finish. A size below 1 is
// an error and changes nothing.
func (q *Queue) SetSize(n int) error {
	if n < 1 {
		return fmt.Errorf("dagq: queue %q: size %d, want at least 1", q.name, n)
	}
	s := q.s
	s.mu.Lock()
	q.size = n
	s.dispatchLocked(false)
	s.mu.Unlock()
	return nil
}

// Pending returns how many of the queue's tasks are ready but not running:
// its Queued count. It is not [Counts.Pending], which counts every task
// not yet terminal (Blocked, Queued and Running); [Queue.Counts] gives
// both.
func (q *Queue) Pending() int {
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	return q.counts.Queued
}

// Running returns how many of the queue's tasks are running.
func (q *Queue) Running() int {
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	return q.counts.Running
}

// Counts returns the queue's tasks by status, as Stats().Queues does.
func (q *Queue) Counts() Counts {
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	return q.counts
}

// String returns the queue's name and settings.
func (q *Queue) String() string { return fmt.Sprintf("queue %q (%s)", q.name, q.desc) }

// peekLocked returns the queue's best live ready task, dropping dead ones.
func (e *engine) peekLocked(q *Queue) (n *node) {
	if q.broken != nil {
		return nil
	}
	defer e.catchLocked(q, "ready set")
	for {
		t := q.ready.Peek()
		if t.n == nil {
			return nil
		}
		if t.n.inReady && t.n.q == q {
			return t.n
		}
		q.ready.Pop()
	}
}

// keysLocked returns the keys that rank n, the task peekLocked just
// returned, against the other queues' best: higher k1 first, then higher
// k2. A [Ranked] ready set gives its keys; any other ranks as FIFO does.
func (e *engine) keysLocked(q *Queue, n *node) (k1, k2 float64) {
	if q.ranked == nil {
		return fifoScore(n)
	}
	defer e.catchLocked(q, "ready set")
	return q.ranked.HeadKey()
}

// pushLocked puts a ready task into the queue's ready set.
func (e *engine) pushLocked(q *Queue, n *node) {
	if e.shutOutLocked(q, n) {
		return
	}
	n.inReady = true
	defer e.catchLocked(q, "ready set")
	q.ready.Push(Task{n})
}

// popLocked pops the task peekLocked returned; false if the ready set
// panicked.
func (e *engine) popLocked(q *Queue) (ok bool) {
	defer e.catchLocked(q, "ready set")
	q.ready.Pop()
	return true
}

// restoreLocked puts back a task that was popped but did not fit its pools
// or backend. Tasks are restored in the reverse order of their Pop.
func (e *engine) restoreLocked(q *Queue, n *node) {
	if e.shutOutLocked(q, n) {
		return
	}
	n.inReady = true
	defer e.catchLocked(q, "ready set")
	if q.unpopper != nil {
		q.unpopper.Unpop(Task{n})
		return
	}
	q.ready.Push(Task{n})
}

// removeLocked takes a killed task out of the ready set.
func (e *engine) removeLocked(q *Queue, n *node) {
	n.inReady = false
	if q.remover != nil && q.broken == nil {
		defer e.catchLocked(q, "ready set")
		q.remover.Remove(Task{n})
	}
}
