package dagq_test

import (
	"fmt"
	"sync"

	"github.com/dagq/dagq"
)

// checker is an observer that verifies the scheduler's invariants on every
// event: legal transitions, dependencies succeeded before a start, queue
// sizes respected, one terminal event per task, Stats adding up.
type checker struct {
	mu         sync.Mutex
	sizes      map[string]int // queue sizes to enforce (0 = not checked)
	status     map[dagq.TaskID]dagq.Status
	deps       map[dagq.TaskID][]dagq.TaskID
	running    map[string]int
	maxRunning map[string]int
	allRunning int
	maxAll     int
	terminal   map[dagq.TaskID]int
	started    []dagq.TaskID
	finished   []dagq.TaskID
	errs       []string
}

func newChecker(sizes map[string]int) *checker {
	return &checker{
		sizes:      sizes,
		status:     map[dagq.TaskID]dagq.Status{},
		deps:       map[dagq.TaskID][]dagq.TaskID{},
		running:    map[string]int{},
		maxRunning: map[string]int{},
		terminal:   map[dagq.TaskID]int{},
	}
}

func (c *checker) fail(format string, a ...any) {
	if len(c.errs) < 20 {
		c.errs = append(c.errs, fmt.Sprintf(format, a...))
	}
}

var legal = map[[2]dagq.Status]bool{
	{0, dagq.Blocked}:              true,
	{dagq.Blocked, dagq.Queued}:    true,
	{dagq.Queued, dagq.Running}:    true,
	{dagq.Running, dagq.Queued}:    true, // retry, backend busy
	{dagq.Running, dagq.Succeeded}: true,
	{dagq.Running, dagq.Failed}:    true,
	{dagq.Blocked, dagq.Failed}:    true, // refused at submission
	{dagq.Blocked, dagq.Killed}:    true,
	{dagq.Queued, dagq.Killed}:     true,
	{dagq.Running, dagq.Killed}:    true,
}

func (c *checker) Observe(e dagq.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := e.Stats
	if st.Blocked+st.Queued+st.Running+st.Succeeded+st.Failed+st.Killed != st.Submitted {
		c.fail("%s: counts do not add up: %+v", e.Kind, st.Counts)
	}
	var sum dagq.Counts
	for _, q := range st.Queues {
		sum.Submitted += q.Submitted
		sum.Blocked += q.Blocked
		sum.Queued += q.Queued
		sum.Running += q.Running
		sum.Succeeded += q.Succeeded
		sum.Failed += q.Failed
		sum.Killed += q.Killed
	}
	if e.Task.ID != 0 && sum != st.Counts {
		c.fail("%s: per-queue counts %+v differ from total %+v", e.Kind, sum, st.Counts)
	}
	if e.Task.ID == 0 {
		return
	}
	id := e.Task.ID
	if prev := c.status[id]; prev != e.From {
		c.fail("task %d: event %s from %v, but it was %v", id, e.Kind, e.From, prev)
	}
	if !legal[[2]dagq.Status{e.From, e.To}] {
		c.fail("task %d: illegal transition %v -> %v", id, e.From, e.To)
	}
	c.status[id] = e.To
	if e.Kind == dagq.TaskSubmitted {
		c.deps[id] = e.Task.Deps
	}
	q := e.Task.Queue
	if e.From == dagq.Running {
		c.running[q]--
		c.allRunning--
	}
	if e.To == dagq.Running {
		c.started = append(c.started, id)
		for _, d := range c.deps[id] {
			if c.status[d] != dagq.Succeeded && e.Task.Trigger == dagq.AllSucceeded {
				c.fail("task %d started while dependency %d is %v", id, d, c.status[d])
			}
		}
		c.running[q]++
		c.allRunning++
		c.maxRunning[q] = max(c.maxRunning[q], c.running[q])
		c.maxAll = max(c.maxAll, c.allRunning)
		if size := c.sizes[q]; size > 0 && c.running[q] > size {
			c.fail("queue %s runs %d tasks, size %d", q, c.running[q], size)
		}
	}
	if e.To.Terminal() {
		c.terminal[id]++
		c.finished = append(c.finished, id)
		if c.terminal[id] > 1 {
			c.fail("task %d reached a terminal status %d times", id, c.terminal[id])
		}
	}
}

// verify returns the violations seen, and checks that each of the want
// tasks reached exactly one terminal status.
func (c *checker) verify(want int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	errs := append([]string(nil), c.errs...)
	if len(c.terminal) != want {
		errs = append(errs, fmt.Sprintf("%d tasks reached a terminal status, want %d", len(c.terminal), want))
	}
	return errs
}
