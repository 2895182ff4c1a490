package dagqriver_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqriver"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The handlers are registered alike by the submitting program and by its
// worker binaries.
var (
	registry = dagq.NewRegistry()
	upper    = dagq.Handle(registry, "upper", func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s), nil
	})
)

// A submitter: tasks submitted with dagq.Call run as River jobs on the
// worker processes. (It needs a PostgreSQL database, so it is not run as
// a test; examples/distributed is a complete program.)
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := dagqriver.Migrate(ctx, pool); err != nil { // once, at deployment
		log.Fatal(err)
	}
	b, err := dagqriver.New(ctx, pool, &dagqriver.Config{MaxInFlight: 100})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	s := dagq.New(dagq.WithBackend("river", b), dagq.WithDefaultBackend("river"))
	defer s.Shutdown(ctx)
	q, err := s.Queue("remote", 100) // as many running as jobs in flight; DefaultQueue holds GOMAXPROCS
	if err != nil {
		log.Fatal(err)
	}
	f := dagq.Call(q, upper, "hello")
	if err := s.Run(ctx); err != nil {
		log.Fatal(err)
	}
	v, _ := f.Get(ctx)
	fmt.Println(v)
}

// The main loop of a worker binary: it runs the registry's handlers until
// ctx ends.
func ExampleRunWorker() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	err = dagqriver.RunWorker(ctx, pool, registry, &dagqriver.WorkerConfig{
		Queues: map[string]int{"default": 50},
	})
	if err != nil {
		log.Fatal(err)
	}
}
