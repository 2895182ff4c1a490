package dagqtest_test

import (
	"context"
	"fmt"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// A Checker watches a run from the scheduler's creation; Violations (or
// Verify, in a test) reports what went wrong.
func ExampleChecker() {
	c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"cpu": 2}})
	s := dagq.New(dagq.WithObserver(c))
	cpu, _ := s.Queue("cpu", 2)
	a := dagq.Submit(cpu, func(context.Context) (int, error) { return 20, nil })
	b := dagq.Then(cpu, a, func(_ context.Context, v int) (int, error) { return v + 22, nil })
	_ = s.Run(context.Background())
	_ = s.Shutdown(context.Background())
	v, _ := b.Get(context.Background())
	fmt.Println(v, c.Tasks(), c.Violations())
	// Output: 42 2 []
}
