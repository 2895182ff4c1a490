package dagq

import (
	"context"
	"fmt"
)

// Command adds a task that runs argv (program and arguments) as a process
// on the backend [OnBackend] names, such as a [GPU] backend wrapping
// [Exec]; without OnBackend, on the default backend ([WithDefaultBackend])
// if it runs commands, else on the built-in "exec" (see [CommandRunner]). Its value is the
// [ExecResult]; a non-zero exit fails it with an [*ExitError]. Like
// [Submit], it returns at once; dependencies come from [After].
//
//	build := dagq.Command(q, []string{"make", "all"}, dagq.Name("build"))
//	test := dagq.Command(q, []string{"make", "test"}, dagq.After(build))
//
// A Command sent to a backend that runs only functions ([Local]) fails at
// submission with a [*SubmitError]; so does an empty argv.
func Command(q *Queue, argv []string, opts ...TaskOption) *Future[ExecResult] {
	f := &Future[ExecResult]{}
	f.body = func(context.Context) error { return errNoFunc }
	all := make([]TaskOption, 0, len(opts)+1)
	all = append(all, cmdOption(argv))
	submit(q, &f.node, f, nil, append(all, opts...))
	return f
}

type cmdOption []string

// applyTask marks the task a command even if o is empty, so that an empty
// argv is refused rather than run as a function.
func (o cmdOption) applyTask(c *taskConfig) { c.cmd = append([]string{}, o...) }
func (o cmdOption) String() string          { return fmt.Sprintf("Cmd(%q)", []string(o)) }
