// Command smqsched runs smqsched's example program with dagq's
// LatestFirst policy on a queue of one slot: A[i] is random data, B[i] its
// inverse, and C[i*100+k] the product of B[i] and B[k]. It prints how many
// tasks had run when the first and the last C finished: demand-driven
// order delivers a first final result after 3 tasks, where FIFO needs
// 201.
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/dagq/dagq"
)

const m = 100

func main() {
	ctx := context.Background()
	for _, p := range []dagq.Policy{dagq.LatestFirst(), dagq.FIFO()} {
		first, last, n := run(ctx, p)
		fmt.Printf("%-12s first C (%s) after %d tasks, last C (%s) after %d of %d\n",
			p.String()+":", first.name, first.at, last.name, last.at, n)
	}
}

type finish struct {
	name string
	at   int // how many tasks had finished, this one included
}

// run submits the program and runs it on one slot with policy p.
func run(ctx context.Context, p dagq.Policy) (first, last finish, n int) {
	var mu sync.Mutex
	s := dagq.New(dagq.WithObserver(dagq.ObserverFunc(func(e dagq.Event) {
		if e.Kind != dagq.TaskFinished {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		n++
		if strings.HasPrefix(e.Task.Name, "C") {
			if first.name == "" {
				first = finish{e.Task.Name, n}
			}
			last = finish{e.Task.Name, n}
		}
	})))
	defer s.Shutdown(ctx)
	q, err := s.Queue("q", 1, dagq.WithQueuePolicy(p))
	if err != nil {
		log.Fatal(err)
	}

	// The sequential program, parallelised by wrapping calls.
	b := make([]*dagq.Future[float64], m)
	for i := range m {
		a := dagq.Submit(q, func(context.Context) (float64, error) { return 1 + rand.Float64(), nil },
			dagq.Name(fmt.Sprint("A", i)))
		b[i] = dagq.Then(q, a, func(_ context.Context, x float64) (float64, error) { return 1 / x, nil },
			dagq.Name(fmt.Sprint("B", i)))
	}
	for i := range m {
		for k := range m {
			dagq.Then2(q, b[i], b[k], func(_ context.Context, x, y float64) (float64, error) { return x * y, nil },
				dagq.Name(fmt.Sprint("C", i*m+k)))
		}
	}
	if err := s.Run(ctx); err != nil {
		log.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return first, last, n
}
