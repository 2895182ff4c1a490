package dagq

import "time"

// TaskID identifies a task within one [Scheduler]; IDs start at 1 and
// follow submission order.
type TaskID uint64

// TaskInfo is a snapshot of one task. It is a copy: later changes to the
// task do not show in it, and changing it changes nothing.
type TaskInfo struct {
	ID       TaskID
	Name     string
	Queue    string
	Backend  string
	Status   Status
	Reason   string // why the task was killed, went back to Queued, or was deduplicated by its Key
	Err      error  // the task's error (wrapping ErrKilled when killed)
	Deps     []TaskID
	Attempts int      // how many times it was handed to a backend
	Cached   bool     // succeeded from a deduplicated twin, without running
	Devices  []string // devices assigned by the backend for the last attempt

	Weight   float64
	Priority int
	Tenant   string
	Cost     float64
	Key      string
	Trigger  TriggerRule

	// Times of the task's life; zero until reached. Ready is when its
	// dependencies were met, Targeted when its queue's strategy meant it to
	// start (a rate strategy's release time; for a slot strategy or no
	// strategy, the later of Ready and the moment a slot freed for it: see
	// docs/strategies.md), Dispatched when the scheduler handed it to its
	// backend (Dispatched − Targeted, the queue delay, is never negative),
	// Started when the backend began it (a process started, a Pull worker
	// took it: see [Job.Began]; Dispatched for backends that begin at
	// once, such as Local, and in the TaskStarted event itself), Finished
	// when it reached its terminal status.
	Submitted, Ready, Targeted, Dispatched, Started, Finished time.Time
}

// Wait is how long the task waited, for capacity and for its backend to
// begin it: Started − Ready, or zero if it never started.
func (i TaskInfo) Wait() time.Duration {
	if i.Started.IsZero() || i.Ready.IsZero() {
		return 0
	}
	return i.Started.Sub(i.Ready)
}

// Duration is how long the task ran: Finished − Started, or zero.
func (i TaskInfo) Duration() time.Duration {
	if i.Started.IsZero() || i.Finished.IsZero() {
		return 0
	}
	return i.Finished.Sub(i.Started)
}

// Counts counts tasks by status. Submitted is cumulative; the others count
// the tasks currently in that status, so Blocked+Queued+Running+Succeeded+
// Failed+Killed == Submitted at every moment.
type Counts struct {
	Submitted, Blocked, Queued, Running, Succeeded, Failed, Killed int
}

// Pending is Blocked+Queued+Running: the tasks not yet terminal. (A
// Queue's Pending method counts its Queued tasks only.)
func (c Counts) Pending() int { return c.Blocked + c.Queued + c.Running }

// add moves one task from status from to status to (from 0 = a new task).
func (c *Counts) add(from, to Status) {
	if from == 0 {
		c.Submitted++
	} else {
		*c.at(from)--
	}
	*c.at(to)++
}

func (c *Counts) at(s Status) *int {
	switch s {
	case Blocked:
		return &c.Blocked
	case Queued:
		return &c.Queued
	case Running:
		return &c.Running
	case Succeeded:
		return &c.Succeeded
	case Failed:
		return &c.Failed
	}
	return &c.Killed
}

// Stats is a snapshot of the scheduler's counters, in total and per queue.
type Stats struct {
	Counts
	Queues map[string]Counts
}
