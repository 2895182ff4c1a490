package dagq_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dagq/dagq"
)

// Tasks with the same Key run once: a twin submitted while the first is
// pending adopts its outcome, and one submitted after it succeeded takes
// the stored result at once. Both are Cached.
func ExampleKey() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q := s.DefaultQueue()
	train := func(context.Context) (string, error) {
		fmt.Println("training model-a")
		return "weights-a", nil
	}
	first := dagq.Submit(q, train, dagq.Key("model-a"))
	twin := dagq.Submit(q, train, dagq.Key("model-a"))
	if err := s.Run(ctx); err != nil {
		fmt.Println(err)
	}
	later := dagq.Submit(q, train, dagq.Key("model-a"))
	for _, f := range []*dagq.Future[string]{first, twin, later} {
		v, _ := f.Get(ctx)
		info := f.Info()
		fmt.Printf("task %d: %s %s cached=%v\n", info.ID, info.Status, v, info.Cached)
	}
	// Output:
	// training model-a
	// task 1: succeeded weights-a cached=false
	// task 2: succeeded weights-a cached=true
	// task 3: succeeded weights-a cached=true
}

// A Store records the results of keyed tasks; a task whose key it holds
// succeeds without running. With a durable Store, this is how a re-run
// pipeline skips the work it already finished.
func ExampleWithStore() {
	ctx := context.Background()
	st := dagq.MemoryStore()
	_ = st.Save(ctx, "fetch:v1", 128) // recorded by an earlier run

	s := dagq.New(dagq.WithStore(st))
	defer s.Shutdown(ctx)
	q := s.DefaultQueue()
	fetch := dagq.Submit(q, func(context.Context) (int, error) {
		fmt.Println("fetching")
		return 0, nil
	}, dagq.Key("fetch:v1"))
	sum := dagq.Then(q, fetch, func(_ context.Context, n int) (int, error) { return n + 1, nil }, dagq.Key("sum:v1"))
	if err := s.Run(ctx); err != nil {
		fmt.Println(err)
	}
	v, _ := sum.Get(ctx)
	fmt.Println("sum:", v, "fetch cached:", fetch.Info().Cached)
	var saved int
	found, _ := st.Load(ctx, "sum:v1", &saved)
	fmt.Println("sum stored:", found, saved)
	// Output:
	// sum: 129 fetch cached: true
	// sum stored: true 129
}

// A Store that encodes results records each value's type with it, and
// refuses at Load a record saved from another type.
func ExampleCheckStoredType() {
	recorded := dagq.StoredType([]int{1, 2}) // saved with the encoded value
	var same []int
	fmt.Println(recorded, dagq.CheckStoredType(recorded, &same))
	var other []string
	fmt.Println(errors.Is(dagq.CheckStoredType(recorded, &other), dagq.ErrKeyType))
	// Output:
	// []int <nil>
	// true
}
