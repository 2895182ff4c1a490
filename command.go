package dagq

import (
	"context"
	"fmt"
	"slices"
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

type envOption []string

func (o envOption) applyTask(c *taskConfig) { c.env = append(c.env, o...) }

// Env adds "KEY=value" entries to a command task's environment, after the
// backend's own ([ExecEnv]): a later entry for the same key wins. An entry
// without '=' refuses the task at submission, and so does Env on a task
// that is not a command.
func Env(kv ...string) TaskOption { return envOption(slices.Clone(kv)) }

type dirOption string

func (o dirOption) applyTask(c *taskConfig) { c.dir = string(o) }

// Dir sets a command task's working directory; a relative dir is taken
// from the backend's ([ExecDir]), or from the scheduler's. Dir on a task
// that is not a command refuses it at submission.
func Dir(dir string) TaskOption { return dirOption(dir) }

// applyTask marks the task a command even if o is empty, so that an empty
// argv is refused rather than run as a function.
func (o cmdOption) applyTask(c *taskConfig) { c.cmd = append([]string{}, o...) }
func (o cmdOption) String() string          { return fmt.Sprintf("Cmd(%q)", []string(o)) }
