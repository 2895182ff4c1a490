// Command trace runs a 200-task data pipeline (-n 50 items, four stages
// and a report per pair) and writes what happened:
// trace.json (open it in https://ui.perfetto.dev or chrome://tracing),
// timeline.html (a Gantt chart for any browser), and graph.dot and
// graph.mmd (the task graph coloured by outcome, for Graphviz and
// Mermaid). One analysis fails on purpose, so that the files also show a
// failure and the dependents it killed.
//
//	go run ./examples/trace -dir /tmp/trace
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/dagq/dagq"
)

func main() {
	dir := flag.String("dir", ".", "directory to write the files to")
	items := flag.Int("n", 50, "items: the pipeline has 4n tasks (n even)")
	flag.Parse()
	if err := run(*dir, *items, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run runs the pipeline for n items and writes its files into dir,
// reporting to out.
func run(dir string, n int, out io.Writer) error {
	var rec dagq.Recorder
	s := dagq.New(dagq.WithObserver(&rec))
	defer s.Shutdown(context.Background())
	queue := func(name string, size int) *dagq.Queue {
		q, err := s.Queue(name, size)
		if err != nil {
			panic(err) // the names and sizes above are valid
		}
		return q
	}
	net, cpu, gpu, report := queue("net", 4), queue("cpu", 3), queue("gpu", 2), queue("report", 1)

	// work sleeps for ms milliseconds, standing in for real work.
	work := func(ms int) { time.Sleep(time.Duration(ms) * time.Millisecond) }
	var analyses []*dagq.Future[int]
	for i := range n {
		fetch := dagq.Submit(net, func(context.Context) ([]byte, error) {
			work(10 + i*7%25)
			return bytes.Repeat([]byte{'x'}, i+1), nil
		}, dagq.Name(fmt.Sprintf("fetch %02d", i)))
		parse := dagq.Then(cpu, fetch, func(_ context.Context, b []byte) (int, error) {
			work(5 + i*11%20)
			return len(b), nil
		}, dagq.Name(fmt.Sprintf("parse %02d", i)))
		analyze := dagq.Then(gpu, parse, func(_ context.Context, v int) (int, error) {
			work(3 + i*5%15)
			if i == n/3 {
				return 0, errors.New("out of memory")
			}
			return v * v, nil
		}, dagq.Name(fmt.Sprintf("analyze %02d", i)))
		analyses = append(analyses, analyze)
	}
	for k := range n / 2 {
		merge := dagq.Then2(cpu, analyses[2*k], analyses[2*k+1], func(_ context.Context, a, b int) (int, error) {
			work(4)
			return a + b, nil
		}, dagq.Name(fmt.Sprintf("merge %02d", k)))
		dagq.Then(report, merge, func(_ context.Context, v int) (string, error) {
			work(2)
			return fmt.Sprint(v), nil
		}, dagq.Name(fmt.Sprintf("report %02d", k)))
	}

	err := s.Run(context.Background())
	st := s.Stats()
	fmt.Fprintf(out, "%d tasks: %d succeeded, %d failed, %d killed\n", st.Submitted, st.Succeeded, st.Failed, st.Killed)
	if err != nil {
		fmt.Fprintln(out, "as planned:", err)
	}

	tasks := rec.Tasks()
	files := []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"trace.json", func(b *bytes.Buffer) error { return dagq.WriteTrace(b, tasks) }},
		{"timeline.html", func(b *bytes.Buffer) error { return dagq.WriteTimeline(b, tasks) }},
		{"graph.dot", func(b *bytes.Buffer) error { _, err := b.WriteString(s.DOT()); return err }},
		{"graph.mmd", func(b *bytes.Buffer) error { _, err := b.WriteString(s.Mermaid()); return err }},
	}
	for _, f := range files {
		var b bytes.Buffer
		if err := f.render(&b); err != nil {
			return err
		}
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(out, "wrote", path)
	}
	return nil
}
