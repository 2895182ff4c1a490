package dagqriver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dagq/dagq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// Config configures the submitting side, a [Backend]. The zero value is
// ready to use.
type Config struct {
	// Queue maps a dagq queue name to the River queue its tasks go to
	// (workers choose the River queues they work). Default: every task to
	// River's "default" queue.
	Queue func(dagqQueue string) string
	// Priority maps a dagq priority to a River priority, 1 to 4. Default:
	// [DefaultPriority].
	Priority func(int) int
	// MaxInFlight caps the tasks inserted and not yet finished; more wait
	// Queued in dagq, in its policy's order. Default 512; -1: no cap
	// beyond the queues' sizes. River runs what is inserted in its own
	// order (priority, then insertion), and a submitter that dies leaves
	// what it inserted to the workers: set it to about twice the workers'
	// total concurrency to keep dagq's order and little work in flight.
	// No cap ran a bulk of independent tasks up to 20% faster, in River's
	// order (docs/distributed.md).
	MaxInFlight int
	// MaxAttempts is how many times River may start a job whose worker
	// died or could not record the outcome (default 5). A handler's own
	// error is not retried by River: it fails the dagq attempt, which
	// dagq's Retry may repeat as a new job.
	MaxAttempts int
	// PollInterval is how often the submitter also reads the state of its
	// unfinished jobs, should a notification be missed (default 5 s). It
	// always does after the listening connection was re-established.
	PollInterval time.Duration
	// RunID names the run's jobs in the database (at most 128 bytes).
	// Default: random, new for each backend. A submitter restarted after
	// a crash with the same RunID, submitting the same tasks in the same
	// order (so that they get the same task IDs), re-attaches to its
	// predecessor's jobs: a task whose job completed is answered from its
	// row without running again, a job still queued or running is waited
	// for instead of inserted again, and only what was never inserted is.
	// A job is its run, task ID, attempt, name, handler and arguments: a
	// task that differs from the one the ID had before gets a job of its
	// own, never another task's result. Two live backends must not share a
	// RunID. [CancelRun] cancels the unfinished jobs of a run abandoned for
	// good. See docs/distributed.md.
	RunID string
	// Logger receives connection trouble; default: discarded.
	Logger *slog.Logger
}

// DefaultMaxInFlight is [Config.MaxInFlight] when it is 0.
const DefaultMaxInFlight = 512

// Backend is a [dagq.Backend] that runs portable tasks (submitted with
// [dagq.Call] and its relatives) as River jobs on worker processes. It
// implements [dagq.Capacity]: closures are refused at submission, and
// [Config.MaxInFlight] bounds the jobs in flight. It is safe for
// concurrent use. It serves one scheduler: jobs are identified by the
// backend, the task ID and the attempt, and task IDs are per scheduler.
type Backend struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
	cfg    Config
	run    string // identifies this backend's jobs
	log    *slog.Logger
	ins    *inserter

	mu       sync.Mutex
	waiting  map[waitKey]*waiter
	inFlight int

	stop context.CancelFunc
	done sync.WaitGroup
	gone chan struct{} // closed by Close
}

type waitKey struct {
	task    uint64
	attempt int
}

// waiter is one Run call waiting for its job's outcome.
type waiter struct {
	id   int64 // the River job; 0 until inserted
	note *note
	done chan struct{}
}

// errClosed is returned by Run after Close.
var errClosed = errors.New("dagq: river: the backend is closed")

// New connects a backend to the database of pool, on which [Migrate] must
// have run (else a clear error). It starts listening for finished jobs
// before it returns, so no outcome is missed; ctx bounds only the
// connection set-up. Call Close when done.
func New(ctx context.Context, pool *pgxpool.Pool, cfg *Config) (*Backend, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := *cfg
	if c.Queue == nil {
		c.Queue = func(string) string { return river.QueueDefault }
	}
	if c.Priority == nil {
		c.Priority = DefaultPriority
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 5 * time.Second
	}
	switch {
	case c.MaxInFlight == 0:
		c.MaxInFlight = DefaultMaxInFlight
	case c.MaxInFlight == -1:
		c.MaxInFlight = 0 // from here on, 0 is no cap (see Acquire)
	case c.MaxInFlight < -1:
		return nil, fmt.Errorf("dagq: river: MaxInFlight %d: want -1 (no cap), 0 (the default) or more", c.MaxInFlight)
	case len(c.RunID) > 128:
		return nil, fmt.Errorf("dagq: river: RunID of %d bytes: want at most 128", len(c.RunID))
	}
	log := c.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := checkMigrated(ctx, pool); err != nil {
		return nil, err
	}
	// River rate-limits the notifications that wake workers after an
	// insert to one per FetchCooldown (default 100 ms) and queue; a task
	// inserted after a silenced one would wait for the workers' poll.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: log, FetchCooldown: river.FetchCooldownMin})
	if err != nil {
		return nil, fmt.Errorf("dagq: river: %w", err)
	}
	run := c.RunID
	if run == "" {
		var id [8]byte
		_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
		run = hex.EncodeToString(id[:])
	}
	b := &Backend{
		pool: pool, client: client, cfg: c, run: run, log: log,
		waiting: map[waitKey]*waiter{}, gone: make(chan struct{}),
	}
	b.ins = newInserter(client)
	conn, err := b.listen(ctx)
	if err != nil {
		return nil, err
	}
	lctx, stop := context.WithCancel(context.Background())
	b.stop = stop
	b.done.Add(2)
	go b.listenLoop(lctx, conn)
	go b.pollLoop(lctx)
	return b, nil
}

// RunID returns the ID of the backend's run: [Config.RunID], or the
// random one it was given.
func (b *Backend) RunID() string { return b.run }

// Close stops listening; Run calls still waiting return an error. It
// blocks until the backend's goroutines have exited. Calling it twice is
// safe.
func (b *Backend) Close() {
	b.mu.Lock()
	select {
	case <-b.gone:
	default:
		close(b.gone)
	}
	b.mu.Unlock()
	b.stop()
	b.done.Wait()
	b.ins.wait()
}

// Admit refuses tasks that cannot run in another process: closures
// without a registered handler. Called with the scheduler's lock held.
func (b *Backend) Admit(j *dagq.Job) error {
	if j.Handler == "" {
		return fmt.Errorf("task %q is a closure, which cannot run in another process: submit it with dagq.Call and a registered handler", j.Name)
	}
	return nil
}

// Acquire claims an in-flight slot if [Config.MaxInFlight] allows.
func (b *Backend) Acquire(*dagq.Job) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cfg.MaxInFlight > 0 && b.inFlight >= b.cfg.MaxInFlight {
		return false
	}
	b.inFlight++
	return true
}

// Release returns the slot Acquire claimed.
func (b *Backend) Release(*dagq.Job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inFlight--
}

// Run inserts the task as a River job (batched with other tasks that
// start at the same time) and blocks until a worker finished it, returning
// its JSON result as a [dagq.JSONResult] or its error ([*RemoteError] for
// a handler's failure or panic). When ctx ends first, Run cancels the job
// (River's JobCancel: a running handler's context is cancelled) and
// returns ctx's cause.
func (b *Backend) Run(ctx context.Context, j *dagq.Job) (any, error) {
	if j.Handler == "" {
		return nil, b.Admit(j)
	}
	key := waitKey{task: uint64(j.ID), attempt: j.Attempt}
	w := &waiter{done: make(chan struct{})}
	b.mu.Lock()
	b.waiting[key] = w
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.waiting, key)
		b.mu.Unlock()
	}()

	res, err := b.ins.insert(b.params(j))
	if err != nil {
		return nil, fmt.Errorf("dagq: river: inserting the job of task %d: %w", j.ID, err)
	}
	b.mu.Lock()
	w.id = res.Job.ID
	if res.UniqueSkippedAsDuplicate && w.note == nil && finished(string(res.Job.State)) {
		b.deliverLocked(noteOf(res.Job))
	}
	b.mu.Unlock()

	select {
	case <-w.done:
		return b.outcome(ctx, j, w.note)
	case <-ctx.Done():
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := b.client.JobCancel(cctx, w.id); err != nil {
			b.log.Warn("dagq: river: cancelling a job", "job", w.id, "err", err)
		}
		return nil, context.Cause(ctx)
	case <-b.gone:
		return nil, errClosed
	}
}

// params makes the River job of j.
func (b *Backend) params(j *dagq.Job) river.InsertManyParams {
	return river.InsertManyParams{
		Args: jobArgs{Run: b.run, Task: uint64(j.ID), Attempt: j.Attempt, Name: j.Name, Handler: j.Handler, Args: j.Args},
		InsertOpts: &river.InsertOpts{
			Queue:       b.cfg.Queue(j.Queue),
			Priority:    b.cfg.Priority(j.Priority),
			MaxAttempts: b.cfg.MaxAttempts,
			UniqueOpts:  river.UniqueOpts{ByArgs: true},
		},
	}
}

// deliverLocked hands a finished job's note to its waiter, if any.
func (b *Backend) deliverLocked(n *note) {
	w := b.waiting[waitKey{n.Task, n.Attempt}]
	if w == nil || w.note != nil {
		return
	}
	w.note = n
	close(w.done)
}

// outcome turns a finished job into Run's result.
func (b *Backend) outcome(ctx context.Context, j *dagq.Job, n *note) (any, error) {
	if n.Big {
		full, err := b.readNotes(ctx, []int64{n.ID})
		if err != nil || len(full) == 0 {
			return nil, fmt.Errorf("dagq: river: reading the outcome of job %d: %w", n.ID, errors.Join(err, errors.New("not found")))
		}
		n = full[0]
	}
	var o output
	if len(n.Output) > 0 && string(n.Output) != "null" {
		if err := json.Unmarshal(n.Output, &o); err != nil {
			return nil, fmt.Errorf("dagq: river: job %d: bad outcome: %w", n.ID, err)
		}
	}
	if o.Error != "" || o.Panic {
		return nil, &RemoteError{Handler: j.Handler, JobID: n.ID, Message: o.Error, Panic: o.Panic, Stack: o.Stack}
	}
	switch n.State {
	case "completed":
		if len(n.Output) == 0 || string(n.Output) == "null" {
			return nil, fmt.Errorf("dagq: river: job %d of task %d completed without recording an outcome", n.ID, j.ID)
		}
		return dagq.JSONResult(o.Value), nil
	case "cancelled":
		return nil, fmt.Errorf("dagq: river: job %d of task %d was cancelled: %s", n.ID, j.ID, n.Error)
	default:
		return nil, fmt.Errorf("dagq: river: job %d of task %d was discarded after %d attempts: %s", n.ID, j.ID, b.cfg.MaxAttempts, n.Error)
	}
}
