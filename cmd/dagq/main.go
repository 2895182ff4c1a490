// Command dagq runs a pipeline file of shell commands: jobs with
// dependencies, queues with sizes, policies and strategies, and GPU slots.
// A job runs only if it is not up to date: its key covers its command,
// env, dir, the content of its inputs and its dependencies' keys.
//
//	dagq run pipeline.yaml            run the jobs that are not up to date
//	dagq run pipeline.yaml test       run job test and what it needs
//	dagq run --resume pipeline.yaml   also skip what succeeded last time
//	dagq run --dry-run pipeline.yaml  print what would run, and why
//	dagq list pipeline.yaml           the jobs and what they do
//	dagq plan pipeline.yaml           check the file, print the order (or the graph)
//	dagq schema                       the JSON Schema of pipeline files
//
// Install it with
//
//	go install github.com/dagq/dagq/cmd/dagq@latest
//
// See docs/cli.md for the file format, the flags and the exit codes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// Exit codes.
const (
	exitOK          = 0   // every job succeeded
	exitFailed      = 1   // a job failed or was killed, or the state file could not be used
	exitBadInput    = 2   // bad flags or pipeline file: nothing ran
	exitInterrupted = 130 // stopped by Ctrl-C (SIGINT): 128 + 2
	exitTerminated  = 143 // stopped by SIGTERM: 128 + 15
)

const usage = `usage:
  dagq run [flags] pipeline.yaml [job...]    run the pipeline, or those jobs and what they need
  dagq plan [flags] pipeline.yaml [job...]   check it, print the order (or the graph)
  dagq list pipeline.yaml [job...]           list the jobs and what they do
  dagq schema                                print the JSON Schema of pipeline files
  dagq version                               print the version
  dagq help                                  show this

Run "dagq run -h" or "dagq plan -h" for the flags. Documentation: docs/cli.md.
`

func main() {
	os.Exit(dagqMain(os.Args[1:], os.Stdout, os.Stderr))
}

// dagqMain runs the command line args and returns the exit code.
func dagqMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitBadInput
	}
	switch args[0] {
	case "run":
		return runCommand(args[1:], stdout, stderr)
	case "plan":
		return planCommand(args[1:], stdout, stderr)
	case "list":
		return listCommand(args[1:], stdout, stderr)
	case "schema":
		return schemaCommand(stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version())
		return exitOK
	}
	fmt.Fprintf(stderr, "dagq: unknown command %q\n%s", args[0], usage)
	return exitBadInput
}

// version describes the build, from its module information.
func version() string {
	v, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = ", " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("dagq %s (%s%s)", v, runtime.Version(), rev)
}

// parseArgs parses flags placed before or after the pipeline file and the
// job names that follow it, and returns them. On -h, or a problem it
// reports, ok is false and code is the exit code.
func parseArgs(fs *flag.FlagSet, args []string) (file string, targets []string, code int, ok bool) {
	var pos []string
	for {
		if err := fs.Parse(args); err == flag.ErrHelp {
			return "", nil, exitOK, false
		} else if err != nil {
			return "", nil, exitBadInput, false // the flag package printed it
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) == 0 {
		fmt.Fprintf(fs.Output(), "%s: want a pipeline file\n", fs.Name())
		return "", nil, exitBadInput, false
	}
	return pos[0], pos[1:], exitOK, true
}

// reportInput prints a pipeline's problems and returns the exit code.
func reportInput(stderr io.Writer, err error) int {
	if es, ok := errors.AsType[inputErrors](err); ok {
		for _, e := range es {
			fmt.Fprintln(stderr, "dagq: "+e.Error())
		}
		fmt.Fprintf(stderr, "dagq: %d problem(s); nothing was run\n", len(es))
		return exitBadInput
	}
	fmt.Fprintln(stderr, err)
	return exitBadInput
}
