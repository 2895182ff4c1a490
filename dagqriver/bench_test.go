package dagqriver

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"
)

// The benchmarks compare dagq's backend with River alone, in the same
// run, on the same database and worker settings (100 workers, 5 ms fetch
// cooldown, one worker process):
//
//	scripts/postgres.sh go test -run '^$' -bench . -benchtime 3x ./river

const benchTasks = 1000

// noopArgs is a plain River job, for the baseline.
type noopArgs struct{}

func (noopArgs) Kind() string { return "dagq_bench_noop" }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// rawWorkerMain is a worker process of plain River no-op jobs.
func rawWorkerMain(queue string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	pool, err := pgxpool.New(ctx, os.Getenv(dbEnv))
	if err != nil {
		return 1
	}
	defer pool.Close()
	workers := river.NewWorkers()
	river.AddWorker(workers, noopWorker{})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:        map[string]river.QueueConfig{queue: {MaxWorkers: 100}},
		Workers:       workers,
		FetchCooldown: 5 * time.Millisecond,
	})
	if err != nil || client.Start(ctx) != nil {
		return 1
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = client.Stop(sctx)
	return 0
}

// BenchmarkRawRiver is the baseline: InsertMany of 1,000 no-op jobs, then
// wait until a worker process completed them all.
func BenchmarkRawRiver(b *testing.B) {
	pool := testPool(b)
	q := testQueue(b)
	startProcess(b, rawWorkerEnv+"="+q)
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	require.NoError(b, err)
	params := make([]river.InsertManyParams, benchTasks)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{}, InsertOpts: &river.InsertOpts{Queue: q}}
	}
	run := func(params []river.InsertManyParams, done int) {
		_, err := client.InsertMany(b.Context(), params)
		require.NoError(b, err)
		for n := 0; n < done; {
			require.NoError(b, pool.QueryRow(b.Context(),
				`SELECT count(*) FROM river_job WHERE queue = $1 AND state = 'completed'`, q).Scan(&n))
		}
	}
	run(params[:1], 1) // warm up: wait until the worker process works
	done := 1
	b.ResetTimer()
	for b.Loop() {
		done += benchTasks
		run(params, done)
	}
	done--
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "jobs/s")
}

// benchScheduler returns a scheduler whose tasks run on one worker
// process.
func benchScheduler(b *testing.B, cfg Config, env ...string) (*dagq.Scheduler, *dagq.Queue) {
	pool := testPool(b)
	be := newTestBackend(b, pool, cfg)
	startWorker(b, testQueue(b), time.Hour, env...)
	s := dagq.New(dagq.WithBackend("river", be), dagq.WithDefaultBackend("river"))
	b.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	q, err := s.Queue("remote", benchTasks)
	require.NoError(b, err)
	require.NoError(b, s.Start(b.Context()))
	// Warm up: wait until the worker process works.
	_, err = dagq.Call(q, newTestHandlers().seed, 0).Get(b.Context())
	require.NoError(b, err)
	return s, q
}

// completionModes are the two ways a worker completes jobs.
var completionModes = []struct {
	name string
	env  []string
}{{"per-job", nil}, {"batch", []string{batchEnv + "=1"}}}

// BenchmarkIndependentTasks runs 1,000 independent no-op tasks per
// iteration through a worker process, which completes each job in its own
// transaction (the default) or leaves it to River's batch completer, with
// MaxInFlight at its default and with no cap.
func BenchmarkIndependentTasks(b *testing.B) {
	for _, mode := range completionModes {
		for _, inFlight := range []struct {
			name string
			n    int
		}{{"in-flight-default", 0}, {"in-flight-no-cap", -1}} {
			b.Run(mode.name+"/"+inFlight.name, func(b *testing.B) {
				h := newTestHandlers()
				s, q := benchScheduler(b, Config{MaxInFlight: inFlight.n}, mode.env...)
				b.ResetTimer()
				for b.Loop() {
					for i := range benchTasks {
						dagq.Call(q, h.seed, i)
					}
					require.NoError(b, s.Wait(b.Context()))
				}
				b.ReportMetric(float64(b.N*benchTasks)/b.Elapsed().Seconds(), "tasks/s")
			})
		}
	}
}

// BenchmarkRoundTrip runs one no-op task at a time: the latency a task
// pays end to end (insert, fetch, run, complete, notify).
func BenchmarkRoundTrip(b *testing.B) {
	for _, mode := range completionModes {
		b.Run(mode.name, func(b *testing.B) {
			h := newTestHandlers()
			_, q := benchScheduler(b, Config{}, mode.env...)
			var took []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				_, err := dagq.Call(q, h.seed, i).Get(b.Context())
				require.NoError(b, err)
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "p90-ms")
		})
	}
}

// BenchmarkLayeredDAG runs a 1,000-task DAG of 10 levels of no-op tasks:
// its critical path pays 10 round trips.
func BenchmarkLayeredDAG(b *testing.B) {
	h := newTestHandlers()
	s, q := benchScheduler(b, Config{})
	b.ResetTimer()
	for b.Loop() {
		layered(q, h, 10, benchTasks/10)
		require.NoError(b, s.Wait(b.Context()))
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/dag")
}
