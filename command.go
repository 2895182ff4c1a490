package dagq

import (
	"context"
	"fmt"
	"slices"
)

// Command adds a task that runs argv (program and arguments) as a process
// on the backend named "exec" (see [Exec]), or on the one [OnBackend]
// names, such as a [GPU] backend wrapping Exec. Its value is the
// [ExecResult]; a non-zero exit fails it with an [*ExitError]. Like
// [Submit], it returns at once; dependencies come from [After].
//
//	build := dagq.Command(q, []string{"make", "all"}, dagq.Name("build"))
//	test := dagq.Command(q, []string{"make", "test"}, dagq.After(build))
//
// A Command sent to a backend that runs functions ([Local]) fails at
// submission; an empty argv is refused by Exec at submission.
func Command(q *Queue, argv []string, opts ...TaskOption) *Future[ExecResult] {
	f := &Future[ExecResult]{}
	f.body = func(context.Context) error { return errNoFunc }
	all := make([]TaskOption, 0, len(opts)+2)
	all = append(all, OnBackend("exec"), cmdOption(slices.Clone(argv)))
	submit(q, &f.node, f, nil, append(all, opts...))
	return f
}

type cmdOption []string

func (o cmdOption) applyTask(c *taskConfig) { c.cmd = o }
func (o cmdOption) String() string          { return fmt.Sprintf("Cmd(%q)", []string(o)) }
