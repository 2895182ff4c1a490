package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/boltstore"
	"github.com/dagq/dagq/progress"
)

// runOptions are the flags of `dagq run`.
type runOptions struct {
	file     string
	gpus     *optionalString
	state    string
	resume   bool
	logs     string
	trace    string
	timeline string
	display  string
	grace    time.Duration
	jobs     int  // -j: the global cap on running jobs, replacing the file's parallelism (0: the file's)
	failFast bool // the first failure kills every job not yet finished
	dryRun   bool // print the commands in order, run nothing
	output   string
	force    stringList // jobs to run even if cached
	keepRuns int        // run log directories kept
	dash     string     // --dashboard: the address to serve the dashboard on ("" for none)
	dashCtl  bool       // --dashboard-controls
}

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// runCommand runs a pipeline and returns the exit code.
func runCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dagq run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := runOptions{gpus: gpusFlag(fs)}
	fs.StringVar(&o.state, "state", filepath.Join(".dagq", "state.db"), `file recording the jobs that succeeded, for caching and --resume ("" for none: run every job)`)
	fs.BoolVar(&o.resume, "resume", false, "also skip the jobs without inputs whose key succeeded in an earlier run")
	fs.Var(&o.force, "force", "run this job even if it is cached (repeat the flag for more)")
	fs.StringVar(&o.logs, "logs", filepath.Join(".dagq", "runs"), `directory of the runs' logs: <run>/<job>.<attempt>.log, and a "latest" link ("" for none)`)
	fs.IntVar(&o.keepRuns, "keep-runs", 20, "run log directories to keep, the newest (0: all)")
	fs.StringVar(&o.output, "output", outputPrefixed, "the jobs' output on stdout: prefixed ([job] line), interleaved, grouped (a job's at its end) or none")
	fs.StringVar(&o.trace, "trace", "", "write a Chrome/Perfetto trace of the run to this file")
	fs.StringVar(&o.timeline, "timeline", "", "write an HTML timeline of the run to this file")
	fs.StringVar(&o.display, "progress", "auto", "live display: auto (bars on a terminal, else lines), bars, lines or none")
	fs.DurationVar(&o.grace, "grace", 5*time.Second, "when killing a job, time between SIGTERM and SIGKILL")
	fs.IntVar(&o.jobs, "j", 0, "run at most this many jobs at once, replacing the file's parallelism (0: the file's)")
	fs.BoolVar(&o.failFast, "fail-fast", false, "on the first failure, kill every job not yet finished")
	fs.StringVar(&o.dash, "dashboard", "", `serve a live dashboard of the run on this address while it runs (such as "localhost:8080"; ":0" picks a port)`)
	fs.BoolVar(&o.dashCtl, "dashboard-controls", false, "let the dashboard pause, resume, cancel jobs and resize queues, for requests from this machine")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the commands of the jobs that would run, in order and with why, and run nothing")
	file, targets, code, ok := parseArgs(fs, args)
	if !ok {
		return code
	}
	o.file = file
	switch {
	case o.display != "auto" && o.display != "bars" && o.display != "lines" && o.display != "none":
		fmt.Fprintf(stderr, "dagq run: --progress %q: want auto, bars, lines or none\n", o.display)
		return exitBadInput
	case o.resume && o.state == "":
		fmt.Fprintln(stderr, "dagq run: --resume needs a --state file")
		return exitBadInput
	case o.jobs < 0:
		fmt.Fprintf(stderr, "dagq run: -j %d: want 0 (the file's parallelism) or more\n", o.jobs)
		return exitBadInput
	case o.dashCtl && o.dash == "":
		fmt.Fprintln(stderr, "dagq run: --dashboard-controls needs --dashboard ADDR")
		return exitBadInput
	case !slices.Contains(outputModes, o.output):
		fmt.Fprintf(stderr, "dagq run: --output %q: want %s\n", o.output, strings.Join(outputModes, ", "))
		return exitBadInput
	}
	p, err := loadPipeline(file, o.gpus.value())
	if err == nil {
		err = p.only(targets)
	}
	if err == nil {
		err = p.known("--force", o.force)
	}
	if err != nil {
		return reportInput(stderr, err)
	}
	if o.jobs > 0 {
		p.parallelism = o.jobs
	}
	if o.dryRun {
		return dryRun(p, &o, stdout, stderr)
	}
	return runPipeline(p, &o, stdout, stderr)
}

// dryRun prints the command of each job that would run, in an order they
// may run in, and which jobs are cached.
func dryRun(p *pipeline, o *runOptions, stdout, stderr io.Writer) int {
	plan, err := readPlan(p, o)
	if err != nil {
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		return exitFailed
	}
	for _, j := range p.order() {
		why, runs := plan.run[j.spec.Name]
		if !runs {
			fmt.Fprintf(stdout, "# %s: cached, would not run\n", j.spec.Name)
			continue
		}
		if why == whyNoState || why == whyNoInputs {
			fmt.Fprintf(stdout, "# %s\n", j.spec.Name)
		} else {
			fmt.Fprintf(stdout, "# %s (%s)\n", j.spec.Name, why)
		}
		if j.spec.Dir != "" {
			fmt.Fprintf(stdout, "cd %s && ", shellQuote([]string{j.spec.Dir}))
		}
		if len(j.spec.Env) > 0 {
			fmt.Fprintf(stdout, "env %s ", shellQuote(j.spec.Env))
		}
		fmt.Fprintln(stdout, shellQuote(j.spec.Cmd))
	}
	return exitOK
}

// readPlan decides which jobs run, reading the state file if there is
// one, without changing it.
func readPlan(p *pipeline, o *runOptions) (runPlan, error) {
	if o.state == "" {
		return planRun(p.order(), nil, o.resume, nil)
	}
	if _, err := os.Stat(o.state); errors.Is(err, os.ErrNotExist) {
		return planRun(p.order(), emptyStore{}, o.resume, o.forced())
	}
	st, err := openStore(o.state)
	if err != nil {
		return runPlan{}, err
	}
	defer st.Close()
	return planRun(p.order(), st, o.resume, o.forced())
}

// emptyStore is the state of a pipeline that never ran.
type emptyStore struct{}

func (emptyStore) Load(context.Context, string, any) (bool, error) { return false, nil }
func (emptyStore) Save(context.Context, string, any) error         { return nil }

// forced returns the --force jobs as a set.
func (o *runOptions) forced() map[string]bool {
	m := map[string]bool{}
	for _, name := range o.force {
		m[name] = true
	}
	return m
}

// shellQuote renders argv as a line a POSIX shell reads back as argv.
func shellQuote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '=' || r == ':' || r == ',' || r == '+' || r == '@' ||
				'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// runPipeline runs a checked pipeline. The first SIGINT or SIGTERM stops
// starting jobs and waits for the running ones; the second cancels them.
func runPipeline(p *pipeline, o *runOptions, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	var running *runningFile
	if o.state != "" {
		if err := checkOrphans(o.state); err != nil {
			fmt.Fprintf(stderr, "dagq: %v\n", err)
			return exitFailed
		}
		running = newRunningFile(o.state)
	}
	store, err := openState(p, o)
	if err != nil {
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		return exitFailed
	}
	if store != nil {
		defer store.Close()
	}
	var logs *runLogs
	if o.logs != "" {
		if logs, err = newRunLogs(o.logs, time.Now(), o.keepRuns); err != nil {
			fmt.Fprintf(stderr, "dagq: %v\n", err)
			return exitFailed
		}
	}
	s, display, err := newScheduler(p, o, store, running, logs, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		return exitBadInput
	}
	if err := addPipeline(s, p); err != nil {
		_ = s.Shutdown(context.Background()) // closes the display too
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		return exitBadInput
	}
	say := func(msg string) { fmt.Fprint(stderr, msg) }
	if display != nil {
		say = display.Print // above the bars
	}
	if o.dash != "" {
		stop, err := serveDashboard(o.dash, o.dashCtl, s, filepath.Base(p.file), logs, say)
		if err != nil {
			_ = s.Shutdown(context.Background()) // closes the display too
			fmt.Fprintf(stderr, "dagq: %v\n", err)
			return exitBadInput
		}
		defer stop()
	}
	begin := time.Now()
	if err := s.Start(context.Background()); err != nil {
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		return exitFailed
	}
	waited := make(chan error, 1)
	go func() { waited <- s.Wait(context.Background()) }()
	var interrupted os.Signal
	select {
	case <-waited:
	case interrupted = <-sigs:
		say(fmt.Sprintf("dagq: interrupted: starting no more jobs, waiting for the %d running (interrupt again to kill them)\n", s.Stats().Running))
		kill, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-sigs:
				say("dagq: killing the running jobs\n")
				cancel()
			case <-kill.Done():
			}
		}()
		_ = s.Shutdown(kill) // an error only says that jobs were killed; their process groups are gone
		cancel()
		<-waited
	}
	_ = s.Shutdown(context.Background()) // returns at once when all is done
	if running != nil {
		if err := running.writeErr(); err != nil {
			fmt.Fprintf(stderr, "dagq: warning: recording running jobs in %s: %v\n", running.path, err)
		}
	}
	if display != nil {
		display.Close()
	}
	tasks := s.Tasks()
	code := writeSummary(stdout, tasks, time.Since(begin))
	writeTails(stdout, tasks)
	if err := writeExports(o, tasks); err != nil {
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		code = max(code, exitFailed)
	}
	if code != exitOK && o.state != "" {
		fmt.Fprintf(stderr, "dagq: to run only what did not succeed: dagq run --resume %s\n", p.file)
	}
	switch interrupted {
	case nil:
		return code
	case syscall.SIGTERM:
		return exitTerminated
	}
	return exitInterrupted
}

// openState opens the state file and forgets the recorded result of each
// job that is to run (see cache.go), so that the others, and only they,
// are cached. It returns nil without a state file.
func openState(p *pipeline, o *runOptions) (*boltstore.Store, error) {
	if o.state == "" {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(o.state), 0o755); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	st, err := openStore(o.state)
	if err != nil {
		return nil, err
	}
	plan, err := planRun(p.order(), st, o.resume, o.forced())
	if err == nil {
		for _, j := range p.jobs {
			if _, runs := plan.run[j.spec.Name]; runs && err == nil {
				err = st.Delete(context.Background(), j.spec.Key)
			}
		}
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("state file %s: %w", o.state, err)
	}
	return st, nil
}

// openStore opens the state file at path.
func openStore(path string) (*boltstore.Store, error) {
	st, err := boltstore.Open(path)
	switch {
	case errors.Is(err, boltstore.ErrCorrupt):
		return nil, fmt.Errorf("state file: %w", err) // names the file and what to do
	case err != nil:
		return nil, fmt.Errorf("state file %s (is another dagq using it?): %w", path, err)
	}
	return st, nil
}

// newScheduler makes the scheduler of a pipeline, with its backends,
// store and display.
func newScheduler(p *pipeline, o *runOptions, store *boltstore.Store, running *runningFile, logs *runLogs, stdout, stderr io.Writer) (*dagq.Scheduler, *progress.Display, error) {
	var display *progress.Display
	var observer dagq.Observer
	switch mode := o.display; {
	case mode == "bars" || mode == "auto" && progress.IsTerminal(stderr) && os.Getenv("TERM") != "dumb":
		display = progress.New(stderr, progress.Bars(true))
		observer = display
	case mode == "lines" || mode == "auto":
		observer = newLines(stderr)
	}
	con := &console{mode: o.output, github: os.Getenv("GITHUB_ACTIONS") == "true",
		print: func(s string) { _, _ = io.WriteString(stdout, s) }}
	if display != nil && progress.IsTerminal(stdout) {
		con.print = display.Print // the same terminal: above the bars
	}
	execOpts := []dagq.ExecOption{dagq.ExecGrace(o.grace), dagq.ExecOutput(con.open)}
	if running != nil {
		execOpts = append(execOpts, dagq.ExecOnStart(running.started))
	}
	if logs != nil {
		execOpts = append(execOpts, dagq.ExecLogDir(logs.root), dagq.ExecLogName(logs.name))
	}
	shell := dagq.Exec(execOpts...).(dagq.Capacity)
	if store != nil {
		shell = newStartKeys(shell, newHasher(), store, p.jobs)
	}
	gpu, err := dagq.NewGPU(p.gpus, dagq.WithInner(shell))
	if err != nil {
		return nil, nil, err
	}
	opts := []dagq.Option{
		dagq.WithBackend("shell", shell), dagq.WithBackend("gpu", gpu),
		dagq.WithParallelism(p.parallelism),
		// Shutdown waits for killed jobs' SIGTERM → SIGKILL sequence, so
		// that dagq exits only once their process groups are gone.
		dagq.WithShutdownGrace(o.grace + 2*time.Second),
	}
	if o.failFast {
		opts = append(opts, dagq.WithFailFast())
	}
	if store != nil {
		opts = append(opts, dagq.WithStore(store))
	}
	if observer != nil {
		opts = append(opts, dagq.WithObserver(observer))
	}
	return dagq.New(opts...), display, nil
}

// addPipeline creates the pipeline's queues and adds its jobs to s.
func addPipeline(s *dagq.Scheduler, p *pipeline) error {
	var err error
	for _, q := range p.queues {
		if q.name == "default" {
			err = s.DefaultQueue().SetSize(q.size)
		} else {
			_, err = s.Queue(q.name, q.size, q.opts...)
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", p.file, q.at.Line, err)
		}
	}
	specs := p.specs()
	for i := range specs {
		specs[i].Backend = "shell"
		if specs[i].Needs.GPUs > 0 {
			specs[i].Backend = "gpu"
		}
	}
	if err := s.Add(specs...); err != nil {
		if ge, ok := errors.AsType[*dagq.GraphError](err); ok {
			for _, j := range p.jobs {
				if j.spec.Name == ge.Spec {
					return fmt.Errorf("%s:%d: %w", p.file, j.at.Line, err)
				}
			}
		}
		return err
	}
	return nil
}

// writeExports writes the trace and the timeline, if asked for.
func writeExports(o *runOptions, tasks []dagq.TaskInfo) error {
	for _, e := range []struct {
		path  string
		write func(io.Writer, []dagq.TaskInfo) error
	}{{o.trace, dagq.WriteTrace}, {o.timeline, dagq.WriteTimeline}} {
		if e.path == "" {
			continue
		}
		f, err := os.Create(e.path)
		if err != nil {
			return err
		}
		err = e.write(f, tasks)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", e.path, err)
		}
	}
	return nil
}
