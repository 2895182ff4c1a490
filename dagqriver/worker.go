package dagqriver

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/dagq/dagq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// WorkerConfig configures a worker process, see [RunWorker]. The zero
// value is ready to use.
type WorkerConfig struct {
	// Queues maps each River queue this worker works to how many of its
	// jobs it runs at once. Default: {"default": 100}.
	Queues map[string]int
	// FetchCooldown is the least time between two fetches of jobs from the
	// database (River's default 100 ms caps a worker at about 10 fetches,
	// so MaxWorkers·10 jobs, per second). Default: 5 ms.
	FetchCooldown time.Duration
	// FetchPollInterval is how often the worker looks for jobs when no
	// notification said there were any (River's default: 1 s).
	FetchPollInterval time.Duration
	// Heartbeat is how often the worker records in the database that it
	// is alive (default 1 s; -1: never, leaving dead workers to River's
	// rescuer and RescueStuckJobsAfter). Every worker also looks, as
	// often, for jobs running on a worker silent for DeadAfter, and runs
	// them again elsewhere: a killed worker's jobs go on within about
	// DeadAfter + Heartbeat + FetchPollInterval.
	Heartbeat time.Duration
	// DeadAfter is how long a worker may be silent before its running jobs
	// are run again (at-least-once: a worker that was only stalled may
	// finish them too). Default 5 s; it must exceed twice Heartbeat.
	DeadAfter time.Duration
	// JobTimeout cancels a handler's context after this long, and its job
	// runs again (River's JobTimeout; -1: none). Default with heartbeats:
	// none, since a dagq task's own Timeout bounds it from the submitter,
	// which cancels the job; without heartbeats: 1 hour, since River's
	// rescuer only rescues jobs that timed out.
	JobTimeout time.Duration
	// RescueStuckJobsAfter is how long a job may run before River's own
	// rescuer (which looks every 30 s) deems its worker dead and runs it
	// again, if the job also timed out. With heartbeats it is only a
	// backstop; it must exceed JobTimeout. Default: JobTimeout + 1 hour,
	// and at least 24 hours with heartbeats.
	RescueStuckJobsAfter time.Duration
	// CompletedRetention, FailedRetention and CancelledRetention are how
	// long River keeps the rows of completed, failed (discarded) and
	// cancelled jobs before deleting them (-1: forever). Defaults
	// (River's): 24 hours, 7 days, 24 hours. A finished row takes about
	// 2.3 kB with its indexes: at 700 tasks/s, a day of completed rows is
	// about 140 GB; lower CompletedRetention for long busy runs.
	CompletedRetention, FailedRetention, CancelledRetention time.Duration
	// BatchCompletion lets River's batch completer mark jobs completed, on
	// its own clock: each task waits up to ≈ 250 ms longer, which a DAG's
	// critical path pays once per level. By default the worker completes
	// jobs itself by group commit: a job that finishes alone is completed
	// at once, and the jobs that finish while a completion is on its way go
	// together in the next one.
	BatchCompletion bool
	// ShutdownTimeout is how long RunWorker lets running handlers finish
	// once ctx ended before it cancels them (default 10 s); their jobs are
	// then run again.
	ShutdownTimeout time.Duration
	// Logger receives River's logs; default: discarded.
	Logger *slog.Logger
}

// worker runs dagq jobs through the registry.
type worker struct {
	river.WorkerDefaults[jobArgs]
	pool  *pgxpool.Pool
	reg   *dagq.Registry
	batch bool
	done  *completer // completes jobs unless batch
}

// RunWorker works dagq jobs with reg's handlers until ctx ends: it is the
// main loop of a worker process, which registers the same handlers as the
// submitting program. It blocks; when ctx ends it stops fetching, lets
// running handlers finish for ShutdownTimeout, cancels the others (their
// jobs run again later) and returns nil. An unreachable database or a bad
// configuration is an error.
//
// A handler's error or panic is recorded as the job's outcome and fails
// the dagq task: the job is discarded (River's failed state; River does
// not retry it). A job is completed in the same statement that records
// its result. The worker sends heartbeats (see [WorkerConfig.Heartbeat])
// and runs again the jobs of workers that stopped sending theirs.
func RunWorker(ctx context.Context, pool *pgxpool.Pool, reg *dagq.Registry, cfg *WorkerConfig) error {
	if cfg == nil {
		cfg = &WorkerConfig{}
	}
	if reg == nil {
		return errors.New("dagq: river: RunWorker: nil registry")
	}
	queues := map[string]river.QueueConfig{}
	for q, n := range cfg.Queues {
		if n < 1 {
			return fmt.Errorf("dagq: river: RunWorker: queue %q: want at least 1 worker, not %d", q, n)
		}
		queues[q] = river.QueueConfig{MaxWorkers: n}
	}
	if len(queues) == 0 {
		queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: 100}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := checkMigrated(ctx, pool); err != nil {
		return err
	}
	rc, hb, err := riverConfig(cfg, queues, log)
	if err != nil {
		return fmt.Errorf("dagq: river: RunWorker: %w", err)
	}
	rc.Workers = river.NewWorkers()
	river.AddWorker(rc.Workers, &worker{pool: pool, reg: reg, batch: cfg.BatchCompletion, done: newCompleter(pool)})
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return fmt.Errorf("dagq: river: RunWorker: %w", err)
	}
	if hb.every > 0 {
		hb.pool, hb.id, hb.log = pool, rc.ID, log
		if err := hb.beat(ctx); err != nil {
			return fmt.Errorf("dagq: river: RunWorker: recording the worker: %w", err)
		}
		hctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() {
			defer close(done)
			hb.loop(hctx)
		}()
		defer func() {
			stop()
			<-done
			hb.leave()
		}()
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("dagq: river: RunWorker: %w", err)
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), cmp.Or(cfg.ShutdownTimeout, 10*time.Second))
	defer cancel()
	if err := client.Stop(sctx); err != nil {
		hctx, hcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer hcancel()
		if err := client.StopAndCancel(hctx); err != nil {
			return fmt.Errorf("dagq: river: RunWorker: stopping: %w", err)
		}
	}
	return nil
}

// riverConfig is the River client configuration of a worker, and its
// heartbeat settings; it refuses settings that do not fit together.
func riverConfig(cfg *WorkerConfig, queues map[string]river.QueueConfig, log *slog.Logger) (*river.Config, *heartbeat, error) {
	hb := &heartbeat{every: cmp.Or(cfg.Heartbeat, time.Second), deadAfter: cmp.Or(cfg.DeadAfter, 5*time.Second)}
	timeout := cfg.JobTimeout
	switch {
	case timeout == 0 && hb.every > 0:
		timeout = -1 // none: dead workers are found by their heartbeats
	case timeout == 0:
		timeout = time.Hour // River rescues only jobs that timed out
	}
	rescue := cfg.RescueStuckJobsAfter
	if rescue == 0 {
		if hb.every > 0 {
			rescue = 24 * time.Hour
		}
		rescue = max(rescue, timeout+time.Hour)
	}
	switch {
	case hb.every < -1 || hb.every > 0 && hb.deadAfter <= 2*hb.every:
		return nil, nil, fmt.Errorf("heartbeat %v and DeadAfter %v: want DeadAfter more than twice Heartbeat (or Heartbeat -1: none)", hb.every, hb.deadAfter)
	case timeout < -1:
		return nil, nil, fmt.Errorf("JobTimeout %v: want -1 (none) or more than 0", timeout)
	case rescue <= timeout:
		return nil, nil, fmt.Errorf("RescueStuckJobsAfter %v: want more than JobTimeout %v, or a job would run again while it runs", rescue, timeout)
	}
	id := make([]byte, 6)
	_, _ = rand.Read(id) // crypto/rand.Read never fails
	host, _ := os.Hostname()
	return &river.Config{
		ID:                          fmt.Sprintf("dagq_%s_%d_%s", host, os.Getpid(), hex.EncodeToString(id)),
		Queues:                      queues,
		FetchCooldown:               cmp.Or(cfg.FetchCooldown, 5*time.Millisecond),
		FetchPollInterval:           cfg.FetchPollInterval,
		JobTimeout:                  timeout,
		RescueStuckJobsAfter:        rescue,
		CompletedJobRetentionPeriod: cfg.CompletedRetention,
		DiscardedJobRetentionPeriod: cfg.FailedRetention,
		CancelledJobRetentionPeriod: cfg.CancelledRetention,
		RetryPolicy:                 retryPolicy{},
		Logger:                      log,
	}, hb, nil
}

// Work runs one job's handler and records its outcome.
func (w *worker) Work(ctx context.Context, job *river.Job[jobArgs]) error {
	out, err := w.reg.Run(ctx, job.Args.Handler, job.Args.Args)
	if err != nil && ctx.Err() != nil {
		return err // cancelled or shutting down: River decides
	}
	o := output{Value: out}
	if pe, ok := errors.AsType[*dagq.PanicError](err); ok {
		o = output{Error: fmt.Sprint(pe.Value), Panic: true, Stack: string(pe.Stack)}
	} else if err != nil {
		o = output{Error: err.Error()}
	}
	if o.Error != "" || o.Panic {
		return w.discard(ctx, job, o)
	}
	if w.batch {
		if err := river.RecordOutput(ctx, o); err != nil {
			return fmt.Errorf("dagq: river: recording the outcome: %w", err)
		}
		return nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("dagq: river: recording the outcome: %w", err)
	}
	if err := w.done.complete(job.ID, b); err != nil {
		return fmt.Errorf("dagq: river: completing the job: %w", err)
	}
	return nil
}

// discardSQL marks a running job failed for good (River's discarded
// state, which River's UI and metrics count as a failure) with its
// outcome and error, as River's own discarding does.
const discardSQL = `
UPDATE river_job SET state = 'discarded', finalized_at = now(),
	metadata = jsonb_set(metadata, '{output}', $2::jsonb),
	errors = array_append(coalesce(errors, '{}'), jsonb_build_object('at', now(), 'attempt', attempt, 'error', $3::text, 'trace', $4::text))
WHERE id = $1 AND state = 'running'`

// discard records a handler's failure as the job's outcome and discards
// the job: the dagq task fails (dagq's Retry may run it again as a new
// job), and River does not retry it.
func (w *worker) discard(ctx context.Context, job *river.Job[jobArgs], o output) error {
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("dagq: river: recording the outcome: %w", err)
	}
	if _, err := w.pool.Exec(ctx, discardSQL, job.ID, b, o.Error, o.Stack); err != nil {
		return fmt.Errorf("dagq: river: recording the failure: %w", err)
	}
	return nil
}
