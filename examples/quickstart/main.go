// Command quickstart runs a small build pipeline with dagq: two sources
// are fetched, each is compiled, the objects are linked, and two test
// suites run on the binary. It prints the order in which tasks ran and
// the pipeline's results.
package main

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/dagq/dagq"
)

func main() {
	var order []string
	s := dagq.New(dagq.WithObserver(dagq.ObserverFunc(func(e dagq.Event) {
		if e.Kind == dagq.TaskFinished {
			order = append(order, fmt.Sprintf("%s (%s, waited %v)", e.Task.Name, e.To, e.Task.Wait().Round(time.Millisecond)))
		}
	})))
	defer s.Shutdown(context.Background())

	// A queue of size 1 for the network, and one of size 2 for CPU work.
	net, err := s.Queue("net", 1)
	if err != nil {
		log.Fatal(err)
	}
	cpu, err := s.Queue("cpu", 2)
	if err != nil {
		log.Fatal(err)
	}

	fetch := func(name string) *dagq.Future[string] {
		return dagq.Submit(net, func(ctx context.Context) (string, error) {
			time.Sleep(10 * time.Millisecond) // the download
			return "source of " + name, nil
		}, dagq.Name("fetch "+name))
	}
	compile := func(src *dagq.Future[string], name string) *dagq.Future[string] {
		return dagq.Then(cpu, src, func(ctx context.Context, src string) (string, error) {
			return strings.Replace(src, "source", "object", 1), nil
		}, dagq.Name("compile "+name))
	}
	app := compile(fetch("app.go"), "app.go")
	lib := compile(fetch("lib.go"), "lib.go")
	bin := dagq.Then2(cpu, app, lib, func(ctx context.Context, a, b string) (string, error) {
		return "binary(" + a + " + " + b + ")", nil
	}, dagq.Name("link"))
	var suites []*dagq.Future[int]
	for _, suite := range []string{"unit", "integration"} {
		suites = append(suites, dagq.Then(cpu, bin, func(ctx context.Context, bin string) (int, error) {
			return len(suite) * 10, nil // tests passed
		}, dagq.Name("test "+suite)))
	}
	total := dagq.Join(cpu, suites, func(ctx context.Context, passed []int) (int, error) {
		return passed[0] + passed[1], nil
	}, dagq.Name("report"))

	if err := s.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	b, _ := bin.Get(context.Background())
	n, _ := total.Get(context.Background())
	fmt.Println("ran, in order:")
	for i, o := range order {
		fmt.Printf("  %d. %s\n", i+1, o)
	}
	fmt.Println("built:", b)
	fmt.Println("tests passed:", n)
	st := s.Stats()
	fmt.Printf("%d tasks: %d succeeded, %d failed, %d killed\n", st.Submitted, st.Succeeded, st.Failed, st.Killed)
}
