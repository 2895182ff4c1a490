// Command riverbench measures dagq's River backend against River alone, in
// one run, on the same database, worker processes and worker settings:
//
//	scripts/postgres.sh go run ./dagqriver/cmd/riverbench -workers 2 -tasks 10000
//
// It starts -workers worker processes of its own binary (each running
// -slots jobs at once, 5 ms fetch cooldown) for each side and prints:
//
//   - independent: -tasks no-op tasks, tasks/s. River alone: InsertMany in
//     batches of 1,000 and River's own completer. dagq: one Call per task
//     through dagqriver's backend with its defaults.
//   - the same, River alone with jobs whose arguments have the fields of a
//     dagq job's (run, task, attempt, handler, arguments) and are unique
//     by them, as dagq's are: what the larger row and its unique key cost
//     River itself; and the same jobs without the unique key.
//   - layered (dagq): the same number of tasks in layers of -width, each
//     depending on two of the layer before, tasks/s, and its ratio to
//     River alone on independent tasks.
//   - chain: -chain tasks one after the other, ms per hop. River alone:
//     insert a job, its worker completes it with JobCompleteTx and a
//     NOTIFY in one transaction, the inserter LISTENs for it. dagq: a
//     chain of Calls, each after the previous.
//
// The database comes from -db, DATABASE_URL or DAGQ_TEST_DATABASE_URL.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqriver"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// workerEnv makes the binary a worker process: "raw:QUEUE:SLOTS" (River
// alone) or "dagq:QUEUE:SLOTS".
const workerEnv = "RIVERBENCH_WORKER"

// hopChannel is where River-alone workers NOTIFY a hop job's completion.
const hopChannel = "riverbench_hop"

// config is what the flags set.
type config struct {
	db                           string
	workers, slots, tasks, chain int
	width, inFlight              int
}

func main() {
	if spec := os.Getenv(workerEnv); spec != "" {
		os.Exit(workerMain(spec))
	}
	var c config
	flag.StringVar(&c.db, "db", cmp.Or(os.Getenv("DATABASE_URL"), os.Getenv("DAGQ_TEST_DATABASE_URL")), "PostgreSQL URL")
	flag.IntVar(&c.workers, "workers", 2, "worker processes per side")
	flag.IntVar(&c.slots, "slots", 100, "jobs each worker process runs at once")
	flag.IntVar(&c.tasks, "tasks", 10_000, "tasks of the independent and layered runs")
	flag.IntVar(&c.chain, "chain", 200, "tasks of the chain")
	flag.IntVar(&c.width, "width", 100, "tasks per layer of the layered run")
	flag.IntVar(&c.inFlight, "max-in-flight", 0, "dagqriver.Config.MaxInFlight (0: its default, -1: no cap)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "riverbench:", err)
		os.Exit(1)
	}
}

// result is one side's figures.
type result struct {
	independent, layered float64 // tasks/s
	likeDagq             float64 // tasks/s of River alone on jobs with dagq's arguments
	likeLoose            float64 // the same, without River's unique key
	hop                  time.Duration
}

// run measures both sides and writes the table to w.
func run(ctx context.Context, c config, w io.Writer) error {
	switch {
	case c.db == "":
		return fmt.Errorf("no database: set -db or DATABASE_URL (or run through scripts/postgres.sh)")
	case c.workers < 1 || c.slots < 1 || c.tasks < 1 || c.chain < 1 || c.width < 1:
		return fmt.Errorf("-workers, -slots, -tasks, -chain and -width must be at least 1")
	}
	pool, err := pgxpool.New(ctx, c.db)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := dagqriver.Migrate(ctx, pool); err != nil {
		return err
	}
	suffix := strconv.FormatInt(time.Now().UnixNano()%1e9, 10)
	raw, err := measureRaw(ctx, pool, c, "riverbench_raw_"+suffix)
	if err != nil {
		return fmt.Errorf("river alone: %w", err)
	}
	dq, err := measureDagq(ctx, pool, c, "riverbench_dagq_"+suffix)
	if err != nil {
		return fmt.Errorf("dagq: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%d worker processes × %d slots, %d tasks, chain of %d\t\t\t\t\n", c.workers, c.slots, c.tasks, c.chain)
	fmt.Fprintf(tw, "\tRiver alone\tdagq\tdagq / River\t\n")
	fmt.Fprintf(tw, "independent, tasks/s\t%.0f\t%.0f\t%.2f\t\n", raw.independent, dq.independent, dq.independent/raw.independent)
	fmt.Fprintf(tw, "independent, River with dagq's job arguments, tasks/s\t%.0f\t%.0f\t%.2f\t\n", raw.likeDagq, dq.independent, dq.independent/raw.likeDagq)
	fmt.Fprintf(tw, "independent, the same without a unique key, tasks/s\t%.0f\t%.0f\t%.2f\t\n", raw.likeLoose, dq.independent, dq.independent/raw.likeLoose)
	fmt.Fprintf(tw, "layered (width %d), tasks/s\t\t%.0f\t%.2f\t\n", c.width, dq.layered, dq.layered/raw.independent)
	fmt.Fprintf(tw, "chain, ms per hop\t%.2f\t%.2f\t%.2f\t\n", ms(raw.hop), ms(dq.hop), float64(dq.hop)/float64(raw.hop))
	return tw.Flush()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// startWorkers starts c.workers worker processes of kind on queue; stop
// ends them.
func startWorkers(c config, kind, queue string) (stop func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var cmds []*exec.Cmd
	stop = func() {
		for _, cmd := range cmds {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
		}
	}
	for range c.workers {
		cmd := exec.Command(exe, "-test.run=^$") // the flag is for a test binary; a built one never parses it
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%s:%d", workerEnv, kind, queue, c.slots), "DATABASE_URL="+c.db)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			stop()
			return nil, err
		}
		cmds = append(cmds, cmd)
	}
	return stop, nil
}

// noopArgs is a River-alone no-op job, completed by River's completer.
type noopArgs struct{}

func (noopArgs) Kind() string { return "riverbench_noop" }

type noopWorker struct{ river.WorkerDefaults[noopArgs] }

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// likeArgs is a River-alone no-op job whose arguments have the fields and
// sizes of a dagq job's (run, task, attempt, handler, arguments), unique
// by them as dagq's jobs are: River alone paying for the same row.
type likeArgs struct {
	Run     string          `json:"run" river:"unique"`
	Task    uint64          `json:"task" river:"unique"`
	Attempt int             `json:"attempt" river:"unique"`
	Handler string          `json:"handler" river:"unique"`
	Args    json.RawMessage `json:"args" river:"unique"`
}

func (likeArgs) Kind() string { return "riverbench_like" }

type likeWorker struct{ river.WorkerDefaults[likeArgs] }

func (likeWorker) Work(context.Context, *river.Job[likeArgs]) error { return nil }

// looseArgs are likeArgs inserted without a unique key: what River's
// unique insert costs it.
type looseArgs likeArgs

func (looseArgs) Kind() string { return "riverbench_loose" }

type looseWorker struct {
	river.WorkerDefaults[looseArgs]
}

func (looseWorker) Work(context.Context, *river.Job[looseArgs]) error { return nil }

// hopArgs is a River-alone chain job: completed with JobCompleteTx and a
// NOTIFY in one transaction.
type hopArgs struct{}

func (hopArgs) Kind() string { return "riverbench_hop" }

type hopWorker struct {
	river.WorkerDefaults[hopArgs]
	pool *pgxpool.Pool
}

func (w hopWorker) Work(ctx context.Context, job *river.Job[hopArgs]) error {
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, hopChannel, strconv.FormatInt(job.ID, 10))
		return err
	})
}

// registry holds the dagq side's handler.
var (
	registry = dagq.NewRegistry()
	noop     = dagq.Handle(registry, "noop", func(context.Context, int) (int, error) { return 0, nil })
)

// workerMain is a worker process: spec is "raw|dagq:QUEUE:SLOTS".
func workerMain(spec string) int {
	f := strings.Split(spec, ":")
	if len(f) != 3 {
		fmt.Fprintln(os.Stderr, "riverbench: bad", workerEnv, spec)
		return 2
	}
	slots, _ := strconv.Atoi(f[2])
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "riverbench:", err)
		return 1
	}
	defer pool.Close()
	if f[0] == "dagq" {
		err = dagqriver.RunWorker(ctx, pool, registry, &dagqriver.WorkerConfig{Queues: map[string]int{f[1]: slots}})
	} else {
		err = rawWorker(ctx, pool, f[1], slots)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "riverbench:", err)
		return 1
	}
	return 0
}

// rawWorker works River-alone jobs until ctx ends.
func rawWorker(ctx context.Context, pool *pgxpool.Pool, queue string, slots int) error {
	workers := river.NewWorkers()
	river.AddWorker(workers, noopWorker{})
	river.AddWorker(workers, likeWorker{})
	river.AddWorker(workers, looseWorker{})
	river.AddWorker(workers, hopWorker{pool: pool})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:        map[string]river.QueueConfig{queue: {MaxWorkers: slots}},
		Workers:       workers,
		FetchCooldown: 5 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return client.Stop(sctx)
}

// measureRaw measures River alone on queue.
func measureRaw(ctx context.Context, pool *pgxpool.Pool, c config, queue string) (result, error) {
	stop, err := startWorkers(c, "raw", queue)
	if err != nil {
		return result{}, err
	}
	defer stop()
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{FetchCooldown: river.FetchCooldownMin})
	if err != nil {
		return result{}, err
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return result{}, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+hopChannel); err != nil {
		return result{}, err
	}
	hop := func() error {
		res, err := client.Insert(ctx, hopArgs{}, &river.InsertOpts{Queue: queue})
		if err != nil {
			return err
		}
		for {
			n, err := conn.Conn().WaitForNotification(ctx)
			if err != nil {
				return err
			}
			if n.Payload == strconv.FormatInt(res.Job.ID, 10) {
				return nil
			}
		}
	}
	for range c.workers { // warm up: every worker process is working
		if err := hop(); err != nil {
			return result{}, err
		}
	}
	var r result
	start := time.Now()
	for range c.chain {
		if err := hop(); err != nil {
			return result{}, err
		}
	}
	r.hop = time.Since(start) / time.Duration(c.chain)

	r.independent, err = independentRaw(ctx, client, pool, c.tasks, queue, func(int) river.JobArgs { return noopArgs{} }, nil)
	if err != nil {
		return result{}, err
	}
	like := func(i int) likeArgs {
		return likeArgs{Run: queue, Task: uint64(i), Attempt: 1, Handler: "noop", Args: json.RawMessage(strconv.Itoa(i))}
	}
	r.likeDagq, err = independentRaw(ctx, client, pool, c.tasks, queue, func(i int) river.JobArgs { return like(i) }, &river.UniqueOpts{ByArgs: true})
	if err != nil {
		return result{}, err
	}
	r.likeLoose, err = independentRaw(ctx, client, pool, c.tasks, queue, func(i int) river.JobArgs { return looseArgs(like(i)) }, nil)
	if err != nil {
		return result{}, err
	}
	return r, nil
}

// independentRaw inserts tasks jobs of args(i) on queue in batches of
// 1,000 and returns how many River alone completes per second.
func independentRaw(ctx context.Context, client *river.Client[pgx.Tx], pool *pgxpool.Pool, tasks int, queue string, args func(int) river.JobArgs, unique *river.UniqueOpts) (float64, error) {
	if err := clean(ctx, pool, queue); err != nil {
		return 0, err
	}
	start := time.Now()
	for i := 0; i < tasks; i += 1000 {
		params := make([]river.InsertManyParams, min(1000, tasks-i))
		for j := range params {
			opts := &river.InsertOpts{Queue: queue}
			if unique != nil {
				opts.UniqueOpts = *unique
			}
			params[j] = river.InsertManyParams{Args: args(i + j), InsertOpts: opts}
		}
		if _, err := client.InsertMany(ctx, params); err != nil {
			return 0, err
		}
	}
	kind := args(0).Kind()
	for done := 0; done < tasks; {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE queue = $1 AND kind = $2 AND state = 'completed'`, queue, kind).Scan(&done); err != nil {
			return 0, err
		}
		if done < tasks {
			time.Sleep(5 * time.Millisecond) // polling the count is part of the baseline's cost either way
		}
	}
	return float64(tasks) / time.Since(start).Seconds(), nil
}

// clean deletes the rows of queue's jobs and vacuums River's job table, so
// that every measurement starts from the same table rather than one that
// grew with the measurements before it.
func clean(ctx context.Context, pool *pgxpool.Pool, queue string) error {
	if _, err := pool.Exec(ctx, `DELETE FROM river_job WHERE queue = $1`, queue); err != nil {
		return fmt.Errorf("cleaning up: %w", err)
	}
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) river_job`); err != nil {
		return fmt.Errorf("cleaning up: %w", err)
	}
	return nil
}

// measureDagq measures dagq's backend on queue.
func measureDagq(ctx context.Context, pool *pgxpool.Pool, c config, queue string) (result, error) {
	stop, err := startWorkers(c, "dagq", queue)
	if err != nil {
		return result{}, err
	}
	defer stop()
	b, err := dagqriver.New(ctx, pool, &dagqriver.Config{Queue: func(string) string { return queue }, MaxInFlight: c.inFlight})
	if err != nil {
		return result{}, err
	}
	defer b.Close()
	s := dagq.New(dagq.WithBackend("river", b), dagq.WithDefaultBackend("river"))
	defer s.Shutdown(context.WithoutCancel(ctx))
	q, err := s.Queue("bench", c.tasks+c.chain)
	if err != nil {
		return result{}, err
	}
	if err := s.Start(ctx); err != nil {
		return result{}, err
	}
	for range c.workers { // warm up
		if _, err := dagq.Call(q, noop, 0).Get(ctx); err != nil {
			return result{}, err
		}
	}
	var r result
	start := time.Now()
	var prev dagq.Dep
	for i := range c.chain {
		opts := []dagq.TaskOption{}
		if prev != nil {
			opts = append(opts, dagq.After(prev))
		}
		prev = dagq.Call(q, noop, i, opts...)
	}
	if err := s.Wait(ctx); err != nil {
		return result{}, err
	}
	r.hop = time.Since(start) / time.Duration(c.chain)

	if err := clean(ctx, pool, queue); err != nil {
		return result{}, err
	}
	start = time.Now()
	for i := range c.tasks {
		dagq.Call(q, noop, i)
	}
	if err := s.Wait(ctx); err != nil {
		return result{}, err
	}
	r.independent = float64(c.tasks) / time.Since(start).Seconds()

	if err := clean(ctx, pool, queue); err != nil {
		return result{}, err
	}
	start = time.Now()
	var last, cur []*dagq.Future[int]
	for i := range c.tasks {
		opts := []dagq.TaskOption{}
		if len(last) > 0 {
			opts = append(opts, dagq.After(last[i%len(last)], last[(i+1)%len(last)]))
		}
		if cur = append(cur, dagq.Call(q, noop, i, opts...)); len(cur) == c.width {
			last, cur = cur, nil
		}
	}
	if err := s.Wait(ctx); err != nil {
		return result{}, err
	}
	r.layered = float64(c.tasks) / time.Since(start).Seconds()
	return r, nil
}
