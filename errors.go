package dagq

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	// ErrClosed is the error of tasks submitted after [Scheduler.Shutdown]
	// and of calls that need a scheduler that is still open.
	ErrClosed = errors.New("dagq: scheduler closed")
	// ErrStarted is returned by [Scheduler.Start] on a scheduler already
	// started ([Scheduler.Run] then just waits).
	ErrStarted = errors.New("dagq: already started")
	// ErrNoItem is the error of a stream item that the stream never emitted.
	ErrNoItem = errors.New("dagq: no such stream item")
	// ErrKilled is wrapped by the error of every task that was killed
	// (cancelled, a dependency failed, or the run ended first).
	ErrKilled = errors.New("dagq: task killed")
	// ErrBackendBusy, returned by a [Backend] before it starts a job, sends
	// the task back to Queued to be tried again later; it never fails it.
	// Only a backend's refusal means busy: an error of the task's own code,
	// or given to [Pull.Complete], that wraps ErrBackendBusy is a failure
	// like any other and counts an attempt.
	ErrBackendBusy = errors.New("dagq: backend busy")
)

// ranError marks an error that wraps ErrBackendBusy but comes from a job
// that ran (the task's own code, or a Pull worker's answer): a failure,
// not a backend's refusal. It is transparent: its message and its chain
// are its cause's.
type ranError struct{ err error }

func (e *ranError) Error() string { return e.err.Error() }
func (e *ranError) Unwrap() error { return e.err }

// ownError returns err, marked as a job's own if it wraps ErrBackendBusy.
func ownError(err error) error {
	if err != nil && errors.Is(err, ErrBackendBusy) {
		return &ranError{err}
	}
	return err
}

// refusedBusy reports whether err is a backend's refusal to start a job:
// it wraps ErrBackendBusy and no job's own error does.
func refusedBusy(err error) bool {
	var ran *ranError
	return errors.Is(err, ErrBackendBusy) && !errors.As(err, &ran)
}

// TaskError is the error [Future.Get] returns for a task that did not
// succeed. For a Failed task it unwraps to the task's own error; for a Killed
// task it unwraps to [ErrKilled] and Reason says why.
type TaskError struct {
	ID     TaskID
	Name   string
	Status Status // Failed or Killed
	Reason string // why it was killed; empty for Failed
	Err    error  // the task's error, or ErrKilled
}

// Error describes the task and its cause, e.g.
// `dagq: task "fetch" (id 3) failed: connection refused`.
func (e *TaskError) Error() string {
	var b strings.Builder
	b.WriteString("dagq: task ")
	b.WriteString(label(e.ID, e.Name))
	if e.Status == Killed {
		b.WriteString(" killed: ")
		b.WriteString(e.Reason)
		return b.String()
	}
	b.WriteString(" failed: ")
	if e.Err != nil {
		b.WriteString(unprefixed(e.Err))
	}
	return b.String()
}

// unprefixed is err's message without a leading "dagq: ", for an error
// that is part of another dagq error's message: the prefix then appears
// once, at the start.
func unprefixed(err error) string {
	return strings.TrimPrefix(err.Error(), "dagq: ")
}

// Unwrap returns the task's error (ErrKilled for a killed task).
func (e *TaskError) Unwrap() error { return e.Err }

// PanicError is the error of a task that panicked: the panic value and the
// stack of the goroutine at the point of recovery.
type PanicError struct {
	Value any
	Stack []byte
}

// Error returns "dagq: panic: <value>" followed by the stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("dagq: panic: %v\n\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error, so errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// GraphError reports a declarative graph that cannot be built: a duplicate,
// empty or unknown name, a self-dependency, or a spec naming an unknown
// queue, backend or resource pool.
type GraphError struct {
	Spec   string // the spec at fault
	Reason string // what is wrong, e.g. `unknown dependency "b"`
}

// Error returns e.g. `dagq: spec "a": unknown dependency "b"`.
func (e *GraphError) Error() string {
	return "dagq: spec " + strconv.Quote(e.Spec) + ": " + e.Reason
}

// CycleError reports a dependency cycle. Path lists the names along the
// cycle and ends with its first name again.
type CycleError struct {
	Path []string
}

// Error returns e.g. "dagq: dependency cycle: a -> b -> c -> a".
func (e *CycleError) Error() string {
	return "dagq: dependency cycle: " + strings.Join(e.Path, " -> ")
}

// SubmitError reports a task that was refused when it was submitted: an
// option out of range, an unknown backend or pool, a request larger than
// a pool or backend can ever hold. Such a task is Failed at once and
// nothing else changes.
type SubmitError struct {
	Reason string
	Err    error // the cause, if there is one: a backend's refusal or panic
}

// Error returns "dagq: submit: <reason>".
func (e *SubmitError) Error() string { return "dagq: submit: " + e.Reason }

// Unwrap returns the cause, if any.
func (e *SubmitError) Unwrap() error { return e.Err }

// RunError is what [Scheduler.Wait] returns when a task did not succeed.
// It unwraps to the [*TaskError] of every failed task, and of the first
// killed task, so errors.Is finds each failure's cause.
type RunError struct {
	Tasks, Failed, Killed int
	Errs                  []error
}

// Error states the counts and the first few errors.
func (e *RunError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dagq: %d of %d tasks failed, %d killed", e.Failed, e.Tasks, e.Killed)
	for i, err := range e.Errs {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(e.Errs)-i)
			break
		}
		b.WriteString("; ")
		b.WriteString(unprefixed(err))
	}
	return b.String()
}

// Unwrap returns the task errors.
func (e *RunError) Unwrap() []error { return e.Errs }

// label names a task in messages: `"fetch" (id 3)`, or `id 3` if unnamed.
func label(id TaskID, name string) string {
	if name == "" {
		return "id " + strconv.FormatUint(uint64(id), 10)
	}
	return strconv.Quote(name) + " (id " + strconv.FormatUint(uint64(id), 10) + ")"
}
