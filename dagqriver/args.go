package dagqriver

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// kind is the River job kind of every dagq task.
const kind = "dagq"

// jobArgs are a River job's arguments: the task and its handler call.
// They all identify the job (River's unique args): inserting it again is
// a no-op, and a restarted submitter whose task ID now stands for another
// task gets a job of its own.
type jobArgs struct {
	Run     string          `json:"run" river:"unique"`
	Task    uint64          `json:"task" river:"unique"`
	Attempt int             `json:"attempt" river:"unique"`
	Name    string          `json:"name,omitempty" river:"unique"`
	Handler string          `json:"handler" river:"unique"`
	Args    json.RawMessage `json:"args" river:"unique"`
}

// Kind implements river.JobArgs.
func (jobArgs) Kind() string { return kind }

// output is what a worker records as the River job's output: the
// handler's JSON result, or its error.
type output struct {
	Value json.RawMessage `json:"value,omitempty"`
	Error string          `json:"error,omitempty"`
	Panic bool            `json:"panic,omitempty"`
	Stack string          `json:"stack,omitempty"`
}

// DefaultPriority maps a dagq priority to a River priority, 1 (first) to
// 4 (last): 1 and above → 1, 0 → 2, −1 → 3, −2 and below → 4. River's
// priority only orders jobs already inserted and waiting for a worker;
// dagq's policies decide which tasks are inserted first.
func DefaultPriority(p int) int { return min(max(2-p, 1), 4) }

// RemoteError is the error of a task whose handler failed or panicked on a
// worker.
type RemoteError struct {
	Handler string
	JobID   int64  // the River job
	Message string // the handler's error message, or the panic value
	Panic   bool
	Stack   string // where it panicked, on the worker
}

// Error names the handler, the River job and the message.
func (e *RemoteError) Error() string {
	what := "failed"
	if e.Panic {
		what = "panicked"
	}
	return fmt.Sprintf("dagq: river: handler %q %s on a worker (river job %d): %s", e.Handler, what, e.JobID, e.Message)
}

// retryPolicy retries a River job (after a worker died or could not
// record the outcome) soon: 1 s, 2 s, 4 s, … up to a minute.
type retryPolicy struct{}

// NextRetry implements river.ClientRetryPolicy.
func (retryPolicy) NextRetry(j *rivertype.JobRow) time.Time {
	return time.Now().Add(min(time.Second<<min(max(j.Attempt-1, 0), 6), time.Minute))
}
