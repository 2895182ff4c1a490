//go:build unix

package dagq_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dagq/dagq"
)

// Processes run on the "exec" backend that every scheduler has: Command
// for the typed API, Spec.Cmd for declarative graphs.
func ExampleCommand() {
	s := dagq.New()
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	hello := dagq.Command(q, []string{"echo", "hello"}, dagq.Name("hello"))
	fail := dagq.Command(q, []string{"sh", "-c", "echo 'no such target' >&2; exit 2"}, dagq.After(hello))
	_ = s.Run(context.Background())
	res, _ := hello.Get(context.Background())
	fmt.Print(res.Output)
	_, err := fail.Get(context.Background())
	var xe *dagq.ExitError
	if errors.As(err, &xe) {
		fmt.Println("exit code", xe.Code, "-", xe.Tail)
	}
	// Output:
	// hello
	// exit code 2 - no such target
}
