// Command resume shows a pipeline that picks up where it stopped. Its
// tasks have keys and their results go to a durable store (a bbolt file),
// so a second run skips every task that succeeded in the first one and
// runs only the rest: what was killed, what failed, what never started.
//
// Without flags it demonstrates both runs in a temporary file: the first
// run is interrupted (as by Ctrl-C) while "parse-b" runs, the second
// completes the pipeline. With -db FILE it runs once against FILE, each
// task taking a second, so you can press Ctrl-C and run it again.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/boltstore"
)

func main() {
	db := flag.String("db", "", "results file to run the pipeline against once (default: a demonstration of two runs)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *db != "" {
		if err := run(ctx, *db, time.Second, nil, os.Stdout); err != nil {
			log.Fatal(err)
		}
		return
	}
	dir, err := os.MkdirTemp("", "dagq-resume")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := demo(ctx, filepath.Join(dir, "results.db"), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// demo runs the pipeline twice against the file at path: the first run is
// interrupted while parse-b runs.
func demo(ctx context.Context, path string, w io.Writer) error {
	fmt.Fprintln(w, "first run, interrupted while parse-b runs:")
	first, interrupt := context.WithCancel(ctx)
	defer interrupt()
	if err := run(first, path, 0, map[string]func(){"parse-b": interrupt}, w); err != nil {
		return err
	}
	fmt.Fprintln(w, "second run:")
	return run(ctx, path, 0, nil, w)
}

// run runs the pipeline once against the store in path, each task taking
// delay, and prints what each task did. hooks run inside the named tasks,
// which then wait for ctx to end.
func run(ctx context.Context, path string, delay time.Duration, hooks map[string]func(), w io.Writer) error {
	st, err := boltstore.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	s := dagq.New(dagq.WithStore(st))
	defer s.Shutdown(context.Background())
	q, err := s.Queue("pipeline", 1)
	if err != nil {
		return err
	}
	// work returns a task function that takes delay and returns out, or
	// runs its hook and waits to be interrupted.
	work := func(name string, out func() string) func(context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			if hook := hooks[name]; hook != nil {
				hook()
			}
			if hooks[name] != nil || delay > 0 {
				select {
				case <-ctx.Done():
					return "", context.Cause(ctx)
				case <-time.After(delay):
				}
			}
			return out(), nil
		}
	}
	fetch := func(src string) *dagq.Future[string] {
		return dagq.Submit(q, work("fetch-"+src, func() string { return "rows of " + src }),
			dagq.Name("fetch-"+src), dagq.Key("fetch:"+src+":v1"))
	}
	parse := func(src string, in *dagq.Future[string]) *dagq.Future[string] {
		return dagq.Then(q, in, func(ctx context.Context, rows string) (string, error) {
			return work("parse-"+src, func() string { return "parsed " + rows })(ctx)
		}, dagq.Name("parse-"+src), dagq.Key("parse:"+src+":v1"))
	}
	fa, fb := fetch("a"), fetch("b")
	pa, pb := parse("a", fa), parse("b", fb)
	merge := dagq.Then2(q, pa, pb, func(ctx context.Context, a, b string) (string, error) {
		return work("merge", func() string { return a + " + " + b })(ctx)
	}, dagq.Name("merge"), dagq.Key("merge:v1"))

	// Interrupting ctx kills what has not finished; Wait returns once
	// every task is settled.
	if err := s.Start(ctx); err != nil {
		return err
	}
	runErr := s.Wait(context.Background())
	if ctx.Err() != nil {
		runErr = nil // interrupted: the next run resumes
	}
	for _, f := range []*dagq.Future[string]{fa, fb, pa, pb, merge} {
		fmt.Fprintf(w, "  %-8s %s\n", f.Info().Name, describe(f.Info()))
	}
	if v, err := merge.Get(ctx); err == nil {
		fmt.Fprintf(w, "  result: %s\n", v)
	}
	return runErr
}

// describe says what a task did in this run.
func describe(i dagq.TaskInfo) string {
	switch {
	case i.Cached:
		return "skipped: succeeded in an earlier run"
	case i.Status == dagq.Succeeded:
		return "ran"
	}
	return "did not finish"
}
