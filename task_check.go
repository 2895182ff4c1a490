package dagq

import (
	"fmt"
	"math"
	"strings"
)

// check returns why no task can run with c's option values, or "" if they
// are sound. Submission and [Scheduler.Add] both ask it, so that Add
// refuses up front every spec that submission would fail.
func (c *taskConfig) check() string {
	switch {
	case c.refusal != "":
		return c.refusal
	case math.IsNaN(c.weight):
		return "Weight is NaN: want a number"
	case math.IsNaN(c.cost):
		return "Cost is NaN: want a number"
	case c.trigger > AllDone:
		return fmt.Sprintf("Trigger %v: want AllSucceeded, AnySucceeded or AllDone", c.trigger)
	case c.retries < 0:
		return fmt.Sprintf("Retries %d: want ≥ 0", c.retries)
	case c.backoff < 0:
		return fmt.Sprintf("Backoff %v: want ≥ 0", c.backoff)
	case c.needs.GPUs < 0:
		return fmt.Sprintf("Needs.GPUs %d: want ≥ 0", c.needs.GPUs)
	case c.cmd != nil && len(c.cmd) == 0:
		return "Command: empty argv, want a program and its arguments"
	case c.cmd == nil && (len(c.env) > 0 || c.dir != ""):
		return "Env and Dir are for commands (Command, Spec.Cmd), and this task runs a function"
	}
	for _, kv := range c.env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Sprintf("Env(%q): want KEY=value", kv)
		}
	}
	for _, u := range c.uses {
		if u.Amount < 1 {
			return fmt.Sprintf("Uses(%q, %d): want an amount ≥ 1", u.Pool, u.Amount)
		}
	}
	return ""
}
