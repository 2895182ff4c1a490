package dagq

import "time"

// EventKind names what an [Event] reports.
type EventKind string

// The kinds of events. A task's events come in the order listed, and every
// event comes before RunStopped, the last. RunStarted comes when Start is
// called, which is not always first: tasks may be submitted (and refused)
// before Start, and their TaskSubmitted, TaskQueued and, for a refusal,
// TaskFinished events then come before RunStarted. RunStarted's Stats
// counts those tasks, so an observer that counts a run from RunStarted
// starts from its Stats and misses nothing. RunIdle may come several times
// (each time every task submitted so far is terminal).
const (
	RunStarted    EventKind = "run_started"    // Start was called
	TaskSubmitted EventKind = "task_submitted" // a task entered the graph (→ Blocked)
	TaskQueued    EventKind = "task_queued"    // a task became ready, or went back to Queued
	TaskStarted   EventKind = "task_started"   // a task was dispatched (Queued → Running)
	TaskItem      EventKind = "task_item"      // a stream task emitted an item
	TaskFinished  EventKind = "task_finished"  // a task succeeded, failed or was killed
	RunIdle       EventKind = "run_idle"       // every submitted task is terminal
	RunStopped    EventKind = "run_stopped"    // Shutdown finished; the last event
)

// Event is one thing that happened in a run. Task events carry the task's
// snapshot and its transition From → To (From is 0 for TaskSubmitted);
// Stats is the scheduler's counters right after the event.
type Event struct {
	Kind   EventKind
	Time   time.Time
	Task   TaskInfo
	From   Status
	To     Status
	Reason string
	Item   int // for TaskItem: the item's index
	Stats  Stats
}
