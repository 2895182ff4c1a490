package dagqriver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// RescueStuckJobsAfter is how long a job may run before River deems its
	// worker dead and runs it again elsewhere (at least once execution).
	// It is also the handlers' time limit: a handler still running then has
	// its context cancelled and its job runs again. It must exceed the
	// longest task. Default (River's): 1 hour.
	RescueStuckJobsAfter time.Duration
	// BatchCompletion lets River's batch completer mark jobs completed, in
	// groups: more throughput, but each task waits up to ≈ 250 ms longer.
	// By default each job is completed in its own transaction, as soon as
	// its handler returns, which a DAG's critical path pays once per level.
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
}

// RunWorker works dagq jobs with reg's handlers until ctx ends: it is the
// main loop of a worker process, which registers the same handlers as the
// submitting program. It blocks; when ctx ends it stops fetching, lets
// running handlers finish for ShutdownTimeout, cancels the others (their
// jobs run again later) and returns nil. An unreachable database or a bad
// configuration is an error.
//
// A handler's error or panic is recorded as the job's outcome and fails
// the dagq task (River does not retry it). A job is completed in the same
// transaction that records its result.
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
	rescue := cmp.Or(cfg.RescueStuckJobsAfter, time.Hour)
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker{pool: pool, reg: reg, batch: cfg.BatchCompletion})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               queues,
		Workers:              workers,
		FetchCooldown:        cmp.Or(cfg.FetchCooldown, 5*time.Millisecond),
		FetchPollInterval:    cfg.FetchPollInterval,
		RescueStuckJobsAfter: rescue,
		JobTimeout:           rescue, // River never rescues a job without a timeout

		RetryPolicy: retryPolicy{},
		Logger:      log,
	})
	if err != nil {
		return fmt.Errorf("dagq: river: RunWorker: %w", err)
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
	if err := river.RecordOutput(ctx, o); err != nil {
		return fmt.Errorf("dagq: river: recording the outcome: %w", err)
	}
	if w.batch {
		return nil
	}
	tx, err := w.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
