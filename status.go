package dagq

import "strconv"

// Status is where a task is in its life. A task moves
// Blocked → Queued → Running → {Succeeded, Failed}, may return from Running
// to Queued (a retry, or a backend that answered [ErrBackendBusy]), and may be
// Killed from any non-terminal status. A task refused at submission goes
// from Blocked to Failed; a Queued task whose queue's policy or strategy,
// or whose backend's Acquire, panicked goes from Queued to Failed with a
// [*PanicError]. A task deduplicated by its [Key]
// goes from Blocked straight to Succeeded with Cached set, or to the
// outcome of the twin it adopted. Every task reaches exactly one terminal
// status, exactly once.
type Status uint8

const (
	// Blocked: waiting for dependencies.
	Blocked Status = iota + 1
	// Queued: ready, waiting for a slot, a resource or its release time.
	Queued
	// Running: handed to a backend.
	Running
	// Succeeded: finished without error (or deduplicated, see [Key]).
	Succeeded
	// Failed: the task returned an error or panicked.
	Failed
	// Killed: cancelled, or a dependency failed, or the run ended first.
	Killed
)

var statusNames = [...]string{"none", "blocked", "queued", "running", "succeeded", "failed", "killed"}

// String returns the lower-case name of s ("blocked", "queued", ...);
// the zero Status, which no task has, prints as "none".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Terminal reports whether s is Succeeded, Failed or Killed.
func (s Status) Terminal() bool { return s >= Succeeded && s <= Killed }

// TriggerRule says when a task with dependencies becomes ready.
// A task without dependencies is ready whatever its rule.
type TriggerRule uint8

const (
	// AllSucceeded runs the task when every dependency succeeded and kills it
	// as soon as one fails or is killed. It is the default, and the only rule
	// under which a task may take its dependencies' values.
	AllSucceeded TriggerRule = iota
	// AnySucceeded runs the task once every dependency is terminal and at
	// least one succeeded; it is killed if none did (DVSim's needs_any).
	AnySucceeded
	// AllDone runs the task once every dependency is terminal, whatever the
	// outcome: cleanup work. A dependency killed while it ran counts once
	// its attempt has returned (an Exec command's process group is gone).
	AllDone
)

// String returns "all-succeeded", "any-succeeded" or "all-done".
func (r TriggerRule) String() string {
	switch r {
	case AllSucceeded:
		return "all-succeeded"
	case AnySucceeded:
		return "any-succeeded"
	case AllDone:
		return "all-done"
	}
	return "trigger(" + strconv.Itoa(int(r)) + ")"
}
