package dagq_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/dagq/dagq"
)

// Existing sequential code is parallelised by wrapping calls: passing a
// future to Then makes the dependency.
func Example() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, _ := s.Queue("cpu", 4)

	words := dagq.Submit(q, func(ctx context.Context) ([]string, error) {
		return strings.Fields("the quick brown fox"), nil
	})
	count := dagq.Then(q, words, func(ctx context.Context, w []string) (int, error) {
		return len(w), nil
	})
	upper := dagq.Then(q, words, func(ctx context.Context, w []string) (string, error) {
		return strings.ToUpper(strings.Join(w, " ")), nil
	})
	if err := s.Run(ctx); err != nil {
		fmt.Println(err)
		return
	}
	n, _ := count.Get(ctx)
	u, _ := upper.Get(ctx)
	fmt.Println(n, u)
	// Output: 4 THE QUICK BROWN FOX
}

func ExampleSubmit() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	answer := dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) {
		return 42, nil
	}, dagq.Name("answer"))
	_ = s.Run(ctx)
	v, err := answer.Get(ctx)
	fmt.Println(v, err, answer.Status())
	// Output: 42 <nil> succeeded
}

func ExampleThen() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q := s.DefaultQueue()
	fetch := dagq.Submit(q, func(ctx context.Context) (string, error) {
		return "", fmt.Errorf("connection refused")
	}, dagq.Name("fetch"))
	parse := dagq.Then(q, fetch, func(ctx context.Context, body string) (int, error) {
		return len(body), nil
	}, dagq.Name("parse"))
	_ = s.Run(ctx)
	_, err := parse.Get(ctx)
	fmt.Println(parse.Status())
	fmt.Println(err)
	// Output:
	// killed
	// dagq: task "parse" (id 2) killed: dependency "fetch" (id 1) failed: connection refused
}

func ExampleScheduler_Add() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	one, _ := s.Queue("one", 1)
	step := func(name string) func(context.Context) error {
		return func(context.Context) error { fmt.Println("run", name); return nil }
	}
	err := s.Add(
		dagq.Spec{Name: "report", Deps: []string{"test"}, Queue: one.Name(), Run: step("report")},
		dagq.Spec{Name: "test", Deps: []string{"build"}, Queue: one.Name(), Run: step("test")},
		dagq.Spec{Name: "build", Queue: one.Name(), Run: step("build")},
	)
	fmt.Println("add:", err)
	fmt.Println("run:", s.Run(ctx))
	// Output:
	// add: <nil>
	// run build
	// run test
	// run report
	// run: <nil>
}

func ExampleScheduler_Add_cycle() {
	s := dagq.New()
	defer s.Shutdown(context.Background())
	noop := func(context.Context) error { return nil }
	err := s.Add(
		dagq.Spec{Name: "a", Deps: []string{"b"}, Run: noop},
		dagq.Spec{Name: "b", Deps: []string{"a"}, Run: noop},
	)
	fmt.Println(err)
	// Output: dagq: dependency cycle: a -> b -> a
}

func ExamplePlan() {
	noop := func(context.Context) error { return nil }
	g, err := dagq.Plan([]dagq.Spec{
		{Name: "fetch", Run: noop},
		{Name: "build", Deps: []string{"fetch"}, Run: noop},
		{Name: "test", Deps: []string{"build"}, Run: noop},
		{Name: "lint", Deps: []string{"fetch"}, Run: noop},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.Order())
	fmt.Print(g.DOT())
	// Output:
	// [fetch build test lint]
	// digraph dagq {
	// 	rankdir=LR;
	// 	node [shape=box];
	// 	"fetch";
	// 	"build";
	// 	"test";
	// 	"lint";
	// 	"fetch" -> "build";
	// 	"build" -> "test";
	// 	"fetch" -> "lint";
	// }
}

func ExamplePlan_mermaid() {
	noop := func(context.Context) error { return nil }
	g, _ := dagq.Plan([]dagq.Spec{
		{Name: "acquire", Run: noop},
		{Name: "process", Deps: []string{"acquire"}, Run: noop},
	})
	fmt.Print(g.Mermaid())
	// Output:
	// flowchart LR
	// 	n0["acquire"]
	// 	n1["process"]
	// 	n0 --> n1
}

// A custom priority: tasks whose names start with "urgent" go first, then
// by weight.
func ExamplePriorityFunc() {
	ctx := context.Background()
	urgentFirst := dagq.PriorityFunc(func(t dagq.TaskInfo) float64 {
		if strings.HasPrefix(t.Name, "urgent") {
			return 1000 + t.Weight
		}
		return t.Weight
	})
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, _ := s.Queue("one", 1, dagq.WithQueuePolicy(urgentFirst))
	for i, name := range []string{"batch", "urgent-a", "report", "urgent-b"} {
		dagq.Submit(q, func(ctx context.Context) (int, error) {
			fmt.Println(name)
			return 0, nil
		}, dagq.Name(name), dagq.Weight(float64(i)))
	}
	_ = s.Run(ctx)
	// Output:
	// urgent-b
	// urgent-a
	// report
	// batch
}

// echoBackend is a custom backend: it runs local jobs and logs each one.
type echoBackend struct{}

func (echoBackend) Run(ctx context.Context, job *dagq.Job) (any, error) {
	fmt.Printf("backend runs %s (attempt %d)\n", job.Name, job.Attempt)
	return dagq.Local().Run(ctx, job)
}

func ExampleBackend() {
	ctx := context.Background()
	s := dagq.New(dagq.WithBackend("echo", echoBackend{}))
	defer s.Shutdown(ctx)
	f := dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (string, error) {
		return "done", nil
	}, dagq.Name("job-1"), dagq.OnBackend("echo"))
	_ = s.Run(ctx)
	fmt.Println(f.Get(ctx))
	// Output:
	// backend runs job-1 (attempt 1)
	// done <nil>
}

func ExampleScheduler_Subscribe() {
	ctx := context.Background()
	s := dagq.New()
	events, unsubscribe := s.Subscribe(16)
	defer unsubscribe()
	dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) { return 1, nil }, dagq.Name("only"))
	_ = s.Run(ctx)
	_ = s.Shutdown(ctx)
	for e := range events { // closed after RunStopped
		if e.Task.ID != 0 {
			fmt.Println(e.Kind, e.Task.Name, e.From, "->", e.To)
		} else {
			fmt.Println(e.Kind)
		}
	}
	// Output:
	// task_submitted only none -> blocked
	// task_queued only blocked -> queued
	// run_started
	// task_started only queued -> running
	// task_finished only running -> succeeded
	// run_idle
	// run_stopped
}
