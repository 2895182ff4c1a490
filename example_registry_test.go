package dagq_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/dagq/dagq"
)

// A portable pipeline: the handlers are registered by name, so the same
// tasks run locally here and on worker processes with a distributed
// backend (see the river sub-module).
func ExampleCall() {
	reg := dagq.NewRegistry()
	upper := dagq.Handle(reg, "upper", func(_ context.Context, s string) (string, error) {
		return strings.ToUpper(s), nil
	})
	count := dagq.Handle(reg, "count", func(_ context.Context, s string) (int, error) {
		return len(s), nil
	})

	s := dagq.New()
	q := s.DefaultQueue()
	u := dagq.Call(q, upper, "hello")
	n := dagq.CallThen(q, count, u)
	if err := s.Run(context.Background()); err != nil {
		panic(err)
	}
	uv, _ := u.Get(context.Background())
	nv, _ := n.Get(context.Background())
	fmt.Println(uv, nv, reg.Names())
	// Output: HELLO 5 [count upper]
}
