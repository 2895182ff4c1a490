package dagq_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dagq/dagq"
)

// Strategies print as guidellm displays them, and give their release
// offsets from the queue's start.
func ExampleStrategy() {
	for _, st := range []dagq.Strategy{
		dagq.Synchronous(),
		dagq.Concurrent(4),
		dagq.Throughput(0),
		dagq.Constant(4, false),
		dagq.Constant(4, true),
	} {
		next, _ := st.Releases(0)
		fmt.Printf("%-20s limit %d: %v %v %v %v %v %v\n", st, st.Limit(), next(), next(), next(), next(), next(), next())
	}
	// Output:
	// synchronous          limit 1: 0s 0s 0s 0s 0s 0s
	// concurrent@4         limit 4: 0s 0s 0s 0s 0s 0s
	// throughput@unlimited limit 0: 0s 0s 0s 0s 0s 0s
	// constant@4.00        limit 0: 0s 250ms 500ms 750ms 1s 1.25s
	// constant@4.00        limit 0: 0s 0s 0s 0s 250ms 500ms
}

// A queue paced at 20 tasks per second: each task's Targeted time is its
// release time, start + k/20 s.
func ExampleWithStrategy() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, err := s.Queue("load", 8, dagq.WithStrategy(dagq.Constant(20, false)))
	if err != nil {
		fmt.Println(err)
		return
	}
	var fs []*dagq.Future[int]
	for i := range 4 {
		fs = append(fs, dagq.Submit(q, func(context.Context) (int, error) { return i, nil }))
	}
	start := time.Now()
	if err := s.Run(ctx); err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range fs {
		fmt.Println(f.Info().Targeted.Sub(start).Round(10 * time.Millisecond))
	}
	_, err = s.Queue("bad", 1, dagq.WithStrategy(dagq.Poisson(-1, false, 42)))
	fmt.Println(err)
	// Output:
	// 0s
	// 50ms
	// 100ms
	// 150ms
	// dagq: queue "bad": strategy poisson@-1.00: Poisson(-1): want a finite rate > 0 (tasks per second)
}

// Feed pulls requests lazily from an unbounded source, here at most 3 of
// them (MaxTasks), one at a time (Synchronous), and yields each result.
func ExampleFeed() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, err := s.Queue("load", 4, dagq.WithStrategy(dagq.Synchronous()), dagq.MaxTasks(3))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	requests := func(yield func(string) bool) {
		for i := 0; ; i++ {
			if !yield(fmt.Sprintf("request-%d", i)) {
				return
			}
		}
	}
	length := func(ctx context.Context, r string) (int, error) { return len(r), nil }
	for res := range dagq.Feed(ctx, q, requests, length) {
		fmt.Println(res.Request, res.Value, res.Err, res.Info.Status)
	}
	// Output:
	// request-0 9 <nil> succeeded
	// request-1 9 <nil> succeeded
	// request-2 9 <nil> succeeded
}
