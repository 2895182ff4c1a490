package dagqtest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dagq/dagq"
)

// Violations returns the invariant violations seen so far (the first 50,
// then a line counting the others); nil if there were none. It does not
// report tasks that are still pending: see [Checker.Verify].
func (c *Checker) Violations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.violationsLocked()
}

func (c *Checker) violationsLocked() []string {
	out := slices.Clone(c.kept)
	if more := c.violations - len(c.kept); more > 0 {
		out = append(out, fmt.Sprintf("... and %d more violations", more))
	}
	return out
}

// Verify fails t if any invariant was violated, or if a task the checker
// saw submitted has not reached a terminal status. Call it once the run is
// over: after the scheduler's Wait or Shutdown returned, when every event
// has been delivered.
func (c *Checker) Verify(t testing.TB) {
	t.Helper()
	c.mu.Lock()
	problems := c.violationsLocked()
	pending := 0
	var first dagq.TaskID
	for id, tk := range c.tasks {
		if tk.terminal == 0 {
			pending++
			if first == 0 || id < first {
				first = id
			}
		}
	}
	c.mu.Unlock()
	if pending > 0 {
		problems = append(problems, fmt.Sprintf("%d tasks never reached a terminal status (the first: task %d)", pending, first))
	}
	if len(problems) > 0 {
		t.Fatalf("dagqtest: invariants violated:\n%s", strings.Join(problems, "\n"))
	}
}

// Tasks returns how many tasks the checker saw submitted.
func (c *Checker) Tasks() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.tasks)
}

// Started returns the IDs of the tasks in the order they started, one
// entry per attempt.
func (c *Checker) Started() []dagq.TaskID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.started)
}

// MaxRunning returns the largest number of tasks of queue that were
// Running at once; queue "" counts all queues together.
func (c *Checker) MaxRunning(queue string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxRunning[queue]
}

// Events returns how many events the checker observed.
func (c *Checker) Events() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.events
}

// Checks returns how many invariant checks the checker evaluated, over
// all events.
func (c *Checker) Checks() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checks
}
