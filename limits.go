package dagq

import (
	"errors"
	"fmt"
	"time"
)

// runConfig gathers a queue's pacing and limit options.
type runConfig struct {
	strategy    Strategy
	hasStrategy bool
	rampup      time.Duration
	maxTasks    int
	maxDuration time.Duration
	maxErrors   int
	err         error     // the first invalid option
	built       *queueRun // set by build
}

func (c *runConfig) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// build checks the options and makes the queue's run state, if any option
// asks for one.
func (c *runConfig) build() error {
	if c.err != nil {
		return c.err
	}
	r := &queueRun{maxTasks: c.maxTasks, maxDuration: c.maxDuration, maxErrors: c.maxErrors}
	switch {
	case c.hasStrategy:
		if c.strategy == nil {
			return errors.New("WithStrategy(nil)")
		}
		next, limit, err := askStrategy(c.strategy, c.rampup)
		if err != nil {
			return fmt.Errorf("strategy %v: %w", c.strategy, err)
		}
		if r.limit = limit; r.limit < 0 {
			return fmt.Errorf("strategy %v: concurrency limit %d, want ≥ 0", c.strategy, r.limit)
		}
		r.next = next
	case c.rampup > 0:
		return fmt.Errorf("Rampup(%v) without WithStrategy: nothing to ramp up", c.rampup)
	case c.maxTasks == 0 && c.maxDuration == 0 && c.maxErrors == 0:
		return nil
	}
	c.built = r
	return nil
}

type strategyOption struct{ s Strategy }

func (o strategyOption) applyQueue(c *queueConfig) { c.run.strategy, c.run.hasStrategy = o.s, true }

// String shows the strategy's parameters in full, so that queues asked for
// with different parameters never compare equal.
func (o strategyOption) String() string { return fmt.Sprintf("WithStrategy(%#v)", o.s) }

// WithStrategy paces the queue with s: each task is released no earlier
// than its release time, and no more of the queue's tasks run at once than
// s's limit (on top of the queue's size). The queue's run starts when it
// first has a ready task while the scheduler runs; release k is at that
// start plus s's k-th offset, measured against the clock, so pacing does
// not drift however late dispatch runs. A queue waiting for a release time
// holds no goroutine (a timer wakes it) and never delays other queues.
// Releases whose time has passed while the queue was paused, full or
// empty go out at once (guidellm catches up the same way). A task's
// [TaskInfo].Targeted is its release time, or when it became ready or a
// slot of s's limit freed, if later (a request of [Feed] pulled late keeps
// its release time). Invalid parameters make [Scheduler.Queue] return an
// error naming them.
func WithStrategy(s Strategy) QueueOption { return strategyOption{s} }

// runOption is Rampup or MaxDuration (durations ≥ 0, in v), or MaxTasks or
// MaxErrors (counts ≥ 1).
type runOption struct {
	name string
	v    int64
}

func (o runOption) duration() bool { return o.name == "Rampup" || o.name == "MaxDuration" }

func (o runOption) applyQueue(c *queueConfig) {
	switch {
	case o.duration() && o.v < 0:
		c.run.fail(fmt.Errorf("%v: want a duration ≥ 0", o))
	case !o.duration() && o.v < 1:
		c.run.fail(fmt.Errorf("%v: want at least 1", o))
	case o.name == "Rampup":
		c.run.rampup = time.Duration(o.v)
	case o.name == "MaxDuration":
		c.run.maxDuration = time.Duration(o.v)
	case o.name == "MaxTasks":
		c.run.maxTasks = int(o.v)
	default:
		c.run.maxErrors = int(o.v)
	}
}

func (o runOption) String() string {
	if o.duration() {
		return fmt.Sprintf("%s(%v)", o.name, time.Duration(o.v))
	}
	return fmt.Sprintf("%s(%d)", o.name, o.v)
}

// Rampup makes the queue's strategy ramp up linearly over d, as guidellm's
// rampup_duration does: rate strategies ([Constant], [Poisson]) grow their
// rate from 0 to the target over d; [Concurrent] and [Throughput] spread
// their first tasks over d. [Synchronous] ignores it. A negative d, or a
// Rampup without [WithStrategy], makes [Scheduler.Queue] return an error.
func Rampup(d time.Duration) QueueOption { return runOption{"Rampup", int64(d)} }

// MaxTasks ends the queue's run once it has started n tasks: tasks of the
// queue still waiting then (blocked or queued), and tasks submitted to it
// later, are killed with a reason naming the limit; running tasks finish
// (and may still retry). n < 1 makes [Scheduler.Queue] return an error.
func MaxTasks(n int) QueueOption { return runOption{"MaxTasks", int64(n)} }

// MaxDuration ends the queue's run d after it started (see
// [WithStrategy]), as [MaxTasks] does: waiting tasks are killed with a
// reason naming the limit, running ones finish, and no task is released
// at or after the deadline. d = 0 sets no limit; a negative d makes
// [Scheduler.Queue] return an error.
func MaxDuration(d time.Duration) QueueOption { return runOption{"MaxDuration", int64(d)} }

// MaxErrors stops the queue after n of its tasks failed (guidellm's
// max-errors constraint): its waiting tasks, and tasks submitted to it
// later, are killed, and its running tasks are cancelled and killed, each
// with a reason naming the limit. Failures count when a task ends Failed,
// after its retries. n < 1 makes [Scheduler.Queue] return an error.
func MaxErrors(n int) QueueOption { return runOption{"MaxErrors", int64(n)} }

// endRunLocked ends q's run: every task of q not yet terminal is killed,
// with a reason naming why, except running ones (unless running is set)
// and except keep, the task being started.
func (e *engine) endRunLocked(q *Queue, why string, keep *node, running bool, now int64) {
	r := q.run
	if r.ended != "" {
		return
	}
	r.ended = why
	r.stopTimers()
	for n := range e.nodes.All() {
		if n.q != q || n == keep || n.status.Terminal() || (n.status == Running && !running) {
			continue
		}
		e.killLocked(n, q.endReason("killed while "+n.status.String()), now)
		e.resolveLocked(n, now)
	}
}

// queueFailedLocked counts a failure of one of q's tasks for MaxErrors.
func (e *engine) queueFailedLocked(q *Queue, now int64) {
	r := q.run
	if r == nil || r.maxErrors == 0 {
		return
	}
	if r.failures++; r.failures == r.maxErrors {
		e.endRunLocked(q, fmt.Sprintf("MaxErrors(%d) reached", r.maxErrors), nil, true, now)
	}
}

// endedLocked returns why q's run ended, or "" while it goes on.
func (e *engine) endedLocked(q *Queue) string {
	if q.run == nil {
		return ""
	}
	return q.run.ended
}

// endReason is the reason given to a task killed because q's run ended.
func (q *Queue) endReason(what string) string {
	return fmt.Sprintf("queue %q: %s: %s", q.name, q.run.ended, what)
}

// stopRunsLocked stops every queue's timers, at Shutdown.
func (e *engine) stopRunsLocked() {
	for _, q := range e.queueList {
		if q.run != nil {
			q.run.stopTimers()
		}
	}
}
