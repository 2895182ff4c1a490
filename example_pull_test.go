package dagq_test

import (
	"context"
	"fmt"

	"github.com/dagq/dagq"
)

// An application loop pulls tasks from the scheduler, in policy order,
// and reports their outcomes, as a generation loop calls schedule().
func ExampleNewPull() {
	p := dagq.NewPull()
	s := dagq.New(dagq.WithBackend("gen", p), dagq.WithDefaultBackend("gen"),
		dagq.WithPolicy(dagq.ByWeight()))
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	for i, w := range []float64{1, 5, 3} {
		dagq.Submit(q, func(ctx context.Context) (string, error) {
			return fmt.Sprint("image ", i), nil
		}, dagq.Name(fmt.Sprint("request-", i)), dagq.Weight(w))
	}
	if err := s.Start(context.Background()); err != nil {
		panic(err)
	}
	for q.Pending() > 0 {
		job, err := p.Next(context.Background())
		if err != nil {
			panic(err)
		}
		v, err := job.Func(context.Background()) // or any work of the loop's own
		p.Complete(job, v, err)
		fmt.Printf("%s -> %v, %d pending\n", job.Name, v, q.Pending())
	}
	fmt.Println(s.Wait(context.Background()))
	// Output:
	// request-1 -> image 1, 2 pending
	// request-2 -> image 2, 1 pending
	// request-0 -> image 0, 0 pending
	// <nil>
}
