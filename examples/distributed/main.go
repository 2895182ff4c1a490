// Command distributed runs a word-count pipeline on worker processes
// through River on PostgreSQL. The same binary is the submitter and, with
// -worker, a worker: both register the same handlers.
//
//	scripts/postgres.sh go run ./examples/distributed
//
// runs it against a throwaway database (its URL in DAGQ_TEST_DATABASE_URL;
// -db names another). The submitter migrates the database, starts two
// worker processes, counts the words of each document on the workers,
// adds the counts up, prints them and stops the workers. With -run NAME,
// a submitter killed mid-run and started again with the same name takes
// the results its jobs left and runs only the rest.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqriver"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The handlers: registered alike by the submitter and by the workers.
var (
	registry = dagq.NewRegistry()
	count    = dagq.Handle(registry, "count", func(_ context.Context, doc string) (map[string]int, error) {
		words := map[string]int{}
		for _, w := range strings.Fields(strings.ToLower(doc)) {
			words[strings.Trim(w, ".,;:!?")]++
		}
		return words, nil
	})
	total = dagq.Handle(registry, "total", func(_ context.Context, parts []map[string]int) (map[string]int, error) {
		sum := map[string]int{}
		for _, p := range parts {
			for w, n := range p {
				sum[w] += n
			}
		}
		return sum, nil
	})
)

var docs = []string{
	"The quick brown fox jumps over the lazy dog.",
	"The dog sleeps; the fox runs.",
	"A fox, a dog and a cat.",
	"Quick, quick: the cat!",
}

func main() {
	db := flag.String("db", cmp.Or(os.Getenv("DATABASE_URL"), os.Getenv("DAGQ_TEST_DATABASE_URL")), "PostgreSQL URL")
	worker := flag.Bool("worker", false, "run as a worker process")
	run := flag.String("run", "", "name the run (dagqriver.Config.RunID): started again with the same name after a crash, the submitter re-attaches to its jobs")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *db == "" {
		log.Fatal("no database: set -db or DATABASE_URL (or run through scripts/postgres.sh)")
	}
	pool, err := pgxpool.New(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if *worker {
		err = dagqriver.RunWorker(ctx, pool, registry, &dagqriver.WorkerConfig{})
	} else {
		err = submit(ctx, pool, *db, *run)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// submit runs the pipeline on two worker processes.
// The workers' defaults (a heartbeat every second, dead after 5 s of
// silence) run a killed worker's jobs elsewhere within seconds.
func submit(ctx context.Context, pool *pgxpool.Pool, db, run string) error {
	if err := dagqriver.Migrate(ctx, pool); err != nil {
		return err
	}
	for range 2 {
		w, err := startWorker(db)
		if err != nil {
			return err
		}
		defer func() {
			_ = w.Process.Signal(syscall.SIGTERM)
			_ = w.Wait()
		}()
	}

	b, err := dagqriver.New(ctx, pool, &dagqriver.Config{RunID: run})
	if err != nil {
		return err
	}
	defer b.Close()
	s := dagq.New(dagq.WithBackend("river", b), dagq.WithDefaultBackend("river"))
	defer s.Shutdown(context.Background())
	// A queue of its own, sized like the jobs in flight: DefaultQueue
	// holds GOMAXPROCS running tasks, a size for work on this machine.
	q, err := s.Queue("words", dagqriver.DefaultMaxInFlight)
	if err != nil {
		return err
	}
	parts := make([]*dagq.Future[map[string]int], len(docs))
	for i, d := range docs {
		parts[i] = dagq.Call(q, count, d, dagq.Name(fmt.Sprintf("count-%d", i)))
	}
	sum := dagq.CallJoin(q, total, parts, dagq.Name("total"))
	if err := s.Run(ctx); err != nil {
		return err
	}
	words, err := sum.Get(ctx)
	if err != nil {
		return err
	}
	for _, w := range []string{"the", "fox", "dog", "quick", "cat"} {
		fmt.Printf("%-5s %d\n", w, words[w])
	}
	return nil
}

// startWorker starts this program again as a worker process.
func startWorker(db string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-worker", "-db", db)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd, cmd.Start()
}
