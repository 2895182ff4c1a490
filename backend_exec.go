package dagq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Exec returns the backend that runs each task's command (Spec.Cmd, or
// [Command] for the typed API) as a process. New registers one under the
// name "exec", so Spec{Cmd: ..., Backend: "exec"} works out of the box;
// register your own with [WithBackend] to change its options.
//
// The process runs in a process group of its own, in [ExecDir] or the
// task's [Dir], with the scheduler's environment plus [ExecEnv], the
// task's [Env] and, when a [GPU] backend assigned devices,
// CUDA_VISIBLE_DEVICES. Its stdout and stderr go, merged, to [ExecOutput]
// (if set) and to a log file per attempt under [ExecLogDir] (if set), capped at [ExecLogLimit] (64
// MiB by default, keeping the head and the tail); the last 64 KiB are
// also kept in memory. A
// non-zero exit fails the task with an [*ExitError] carrying the exit code
// and the output's tail. When the task is cancelled, killed or times out,
// the group gets SIGTERM, then SIGKILL after the grace period
// ([ExecGrace], default 5s). When the command exits, whatever it left
// running in its group is killed, so no task leaves processes behind
// (processes that leave the group on purpose, with setsid, are not
// followed). Run returns once the group is gone (waiting at most the grace
// period plus a second for processes other than the command itself). On
// systems without process groups only the process itself is signalled.
//
// Exec refuses at submission tasks that have no command (closures) and
// tasks that need GPUs (wrap it in a GPU backend instead). On success the
// task's value is an [ExecResult]. Exec is safe for concurrent use.
func Exec(opts ...ExecOption) Backend {
	e := &execBackend{grace: 5 * time.Second, logLimit: DefaultExecLogLimit}
	for _, o := range opts {
		if o != nil {
			o.applyExec(e)
		}
	}
	return e
}

// ExecOption configures [Exec].
type ExecOption interface {
	applyExec(*execBackend)
	String() string
}

type execBackend struct {
	logDir   string
	logLimit int64                                 // ExecLogLimit; 0: none
	onStart  func(job *Job, pid int) (gone func()) // ExecOnStart
	grace    time.Duration
	env      []string
	dir      string
	logName  func(job *Job) string    // ExecLogName
	output   func(job *Job) io.Writer // ExecOutput
}

type execLogDirOption string

func (o execLogDirOption) applyExec(e *execBackend) { e.logDir = string(o) }
func (o execLogDirOption) String() string           { return fmt.Sprintf("ExecLogDir(%q)", string(o)) }

// ExecLogDir writes each attempt's output to a file under dir (created if
// needed), named "<id>-<task name>.<attempt>.log" ("<id>.<attempt>.log"
// for unnamed tasks) unless [ExecLogName] names it. Without it the output
// is only kept in memory (its last 64 KiB).
func ExecLogDir(dir string) ExecOption { return execLogDirOption(dir) }

type execLogNameOption func(job *Job) string

func (o execLogNameOption) applyExec(e *execBackend) { e.logName = o }
func (o execLogNameOption) String() string           { return "ExecLogName(...)" }

// ExecLogName names each attempt's log file under [ExecLogDir]: fn returns
// a path relative to it (its directories are created as needed), such as
// fmt.Sprintf("%s.%d.log", job.Name, job.Attempt) when task names are
// unique. A name that is empty, absolute or leaves the directory falls
// back to the default name. fn runs on the task's worker and must be fast.
func ExecLogName(fn func(job *Job) string) ExecOption { return execLogNameOption(fn) }

type execOutputOption func(job *Job) io.Writer

func (o execOutputOption) applyExec(e *execBackend) { e.output = o }
func (o execOutputOption) String() string           { return "ExecOutput(...)" }

// ExecOutput also copies each attempt's merged stdout and stderr, as it
// comes, to the writer fn returns for the job (nil: none), to show it live
// or send it to a log service. Writes come from one goroutine per attempt,
// in chunks that need not end at a line; a write error stops the copy to
// that writer only. If the writer is an [io.Closer], it is closed once the
// output has ended, before Run returns. A process that writes faster than
// the writer accepts is slowed down, not its output lost.
func ExecOutput(fn func(job *Job) io.Writer) ExecOption { return execOutputOption(fn) }

type execGraceOption time.Duration

func (o execGraceOption) applyExec(e *execBackend) { e.grace = max(time.Duration(o), 0) }
func (o execGraceOption) String() string {
	return fmt.Sprintf("ExecGrace(%v)", time.Duration(o))
}

// ExecGrace sets how long a cancelled process group has between SIGTERM
// and SIGKILL (default 5s; 0 kills at once).
func ExecGrace(d time.Duration) ExecOption { return execGraceOption(d) }

type execEnvOption []string

func (o execEnvOption) applyExec(e *execBackend) { e.env = append(e.env, o...) }
func (o execEnvOption) String() string           { return fmt.Sprintf("ExecEnv(%q)", []string(o)) }

// ExecEnv adds "KEY=value" entries to the processes' environment.
func ExecEnv(kv ...string) ExecOption { return execEnvOption(append([]string(nil), kv...)) }

type execOnStartOption func(job *Job, pid int) (gone func())

func (o execOnStartOption) applyExec(e *execBackend) { e.onStart = o }
func (o execOnStartOption) String() string           { return "ExecOnStart(...)" }

// ExecOnStart calls fn once each attempt's process has started, with its
// pid (on Unix also its process group's id); fn may return a function
// that is called once the process group is gone (nil for none). A
// supervisor uses it to record what runs, so that after a crash of its
// own it can find commands still running (the dagq command does). fn runs
// on the task's worker and must be fast.
func ExecOnStart(fn func(job *Job, pid int) (gone func())) ExecOption {
	return execOnStartOption(fn)
}

type execDirOption string

func (o execDirOption) applyExec(e *execBackend) { e.dir = string(o) }
func (o execDirOption) String() string           { return fmt.Sprintf("ExecDir(%q)", string(o)) }

// ExecDir sets the processes' working directory (default: the
// scheduler's).
func ExecDir(dir string) ExecOption { return execDirOption(dir) }

// ExecResult is the value of a task run by [Exec].
type ExecResult struct {
	Log    string // the log file's path; "" without ExecLogDir
	Output string // the last 64 KiB of the merged stdout and stderr
}

// ExitError is the error of a command that failed: it exited with a
// non-zero code, was killed by a signal (Code -1), or could not start.
type ExitError struct {
	Cmd  []string
	Code int    // the exit code; -1 if killed by a signal or never started
	Log  string // the log file's path, if any
	Tail string // the last lines of the output (at most 2 KiB)
	Err  error  // the underlying error from os/exec
}

// Error returns e.g. `dagq: command "make test" exited with code 2: <tail>`.
func (e *ExitError) Error() string {
	var b strings.Builder
	b.WriteString("dagq: command ")
	b.WriteString(strconv.Quote(strings.Join(e.Cmd, " ")))
	if e.Code >= 0 {
		fmt.Fprintf(&b, " exited with code %d", e.Code)
	} else {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Log != "" {
		fmt.Fprintf(&b, " (log %s)", e.Log)
	}
	if e.Tail != "" {
		b.WriteString(":\n")
		b.WriteString(e.Tail)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }

var (
	errNoCmd     = errors.New("the exec backend runs commands (Spec.Cmd or Command), and this task has none")
	errExecGPUs  = errors.New("the exec backend has no devices: send the task to a GPU backend that wraps it (NewGPU with WithInner(Exec())), with OnBackend or WithDefaultBackend")
	errEmptyArgv = errors.New("dagq: exec: empty command")
)

// Admit refuses jobs without a command and jobs that need GPUs.
func (e *execBackend) Admit(job *Job) error {
	switch {
	case len(job.Cmd) == 0:
		return errNoCmd
	case job.Needs.GPUs > 0:
		return errExecGPUs
	}
	return nil
}

// Acquire always succeeds: the queues bound how many processes run.
func (e *execBackend) Acquire(*Job) bool { return true }

// Release does nothing.
func (e *execBackend) Release(*Job) {}

// Run runs job.Cmd and waits for it; see [Exec].
func (e *execBackend) Run(ctx context.Context, job *Job) (any, error) {
	return e.run(ctx, job)
}

// run runs job.Cmd.
func (e *execBackend) run(ctx context.Context, job *Job) (_ any, err error) {
	if len(job.Cmd) == 0 {
		return nil, errEmptyArgv
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	var res ExecResult
	tail := &tailBuffer{max: 64 << 10}
	var out io.Writer = tail
	if e.logDir != "" {
		f, err := e.openLog(job)
		if err != nil {
			return nil, err
		}
		lg := newCappedLog(f, e.logLimit)
		defer func() {
			if cerr := lg.close(); cerr != nil && err == nil {
				err = cerr
			}
		}()
		res.Log = f.Name()
		out = io.MultiWriter(lg, tail)
	}
	if e.output != nil {
		if w := e.output(job); w != nil {
			sink := &outputSink{w: w}
			defer func() {
				if cerr := sink.close(); cerr != nil && err == nil {
					err = fmt.Errorf("dagq: exec: closing the output of %q: %w", job.Name, cerr)
				}
			}()
			out = io.MultiWriter(out, sink)
		}
	}
	cmd := exec.Command(job.Cmd[0], job.Cmd[1:]...)
	cmd.Dir = e.dir
	if job.Dir != "" {
		cmd.Dir = job.Dir
		if e.dir != "" && !filepath.IsAbs(job.Dir) {
			cmd.Dir = filepath.Join(e.dir, job.Dir)
		}
	}
	cmd.Env = append(os.Environ(), e.env...)
	cmd.Env = append(cmd.Env, job.Env...)
	if job.Devices != nil { // CUDA reads an unset variable as "every device"
		cmd.Env = append(cmd.Env, "CUDA_VISIBLE_DEVICES="+strings.Join(job.Devices, ","))
	}
	var gone func()
	err = runGroup(ctx, cmd, out, e.grace, func(pid int) {
		job.Began()
		if e.onStart != nil {
			gone = e.onStart(job, pid)
		}
	})
	if gone != nil {
		gone()
	}
	res.Output = tail.String()
	if err == nil {
		return res, nil
	}
	xe := &ExitError{Cmd: job.Cmd, Code: -1, Log: res.Log, Tail: tail.last(2 << 10), Err: err}
	if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.Exited() {
		xe.Code = ee.ExitCode()
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w (%w)", context.Cause(ctx), xe)
	}
	return nil, xe
}

// openLog creates the log file of job's attempt.
func (e *execBackend) openLog(job *Job) (*os.File, error) {
	if err := os.MkdirAll(e.logDir, 0o755); err != nil {
		return nil, fmt.Errorf("dagq: exec: log directory: %w", err)
	}
	name := fmt.Sprintf("%d.%d.log", job.ID, job.Attempt)
	if job.Name != "" {
		name = fmt.Sprintf("%d-%s.%d.log", job.ID, safeFileName(job.Name), job.Attempt)
	}
	if e.logName != nil {
		if n := filepath.Clean(e.logName(job)); n != "." && filepath.IsLocal(n) {
			name = n
		}
	}
	path := filepath.Join(e.logDir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("dagq: exec: log directory: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("dagq: exec: log file: %w", err)
	}
	return f, nil
}

// safeFileName keeps letters, digits, '.', '-' and '_' of a task name.
func safeFileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		ok := c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

// runGroup runs cmd in its own process group with its output copied to
// out, and signals the group as Exec documents.
func runGroup(ctx context.Context, cmd *exec.Cmd, out io.Writer, grace time.Duration, started func(pid int)) error {
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	defer pr.Close()
	cmd.Stdout, cmd.Stderr = pw, pw
	setGroup(cmd)
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return err
	}
	started(cmd.Process.Pid)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, _ = io.Copy(out, pr)
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err = <-exited:
	case <-ctx.Done():
		signalGroup(cmd, false)
		t := time.NewTimer(grace)
		select {
		case err = <-exited:
		case <-t.C:
			signalGroup(cmd, true)
			err = <-exited
		}
		t.Stop()
	}
	if signalGroup(cmd, true) { // whatever the command left behind
		awaitGroup(cmd, grace+time.Second)
	}
	// The output ends when every process holding the pipe has exited;
	// a process that escaped the group may hold it: do not wait for it.
	t := time.NewTimer(grace + time.Second)
	select {
	case <-copied:
	case <-t.C:
		_ = pr.SetReadDeadline(time.Now())
		<-copied
	}
	t.Stop()
	return err
}

// outputSink is an ExecOutput writer: a write error, or a panic, stops
// the copy to it without failing the command's other outputs.
type outputSink struct {
	w   io.Writer
	err error
}

func (s *outputSink) Write(p []byte) (int, error) {
	if s.err == nil {
		s.err = s.write(p)
	}
	return len(p), nil
}

func (s *outputSink) write(p []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the output writer panicked: %v", r)
		}
	}()
	_, err = s.w.Write(p)
	return err
}

// close closes the writer if it is a Closer.
func (s *outputSink) close() (err error) {
	c, ok := s.w.(io.Closer)
	if !ok {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the output writer's Close panicked: %v", r)
		}
	}()
	return c.Close()
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > t.max {
		p = p[len(p)-t.max:]
	}
	if over := len(t.buf) + len(p) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

func (t *tailBuffer) String() string { return string(t.buf) }

// last returns at most n bytes of the end, from a line start if possible.
func (t *tailBuffer) last(n int) string {
	b := t.buf
	if len(b) > n {
		b = b[len(b)-n:]
		if i := strings.IndexByte(string(b), '\n'); i >= 0 && i < len(b)-1 {
			b = b[i+1:]
		}
	}
	return strings.TrimRight(string(b), "\n")
}

var _ Capacity = (*execBackend)(nil)
