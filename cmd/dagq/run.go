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
}

// runCommand runs a pipeline and returns the exit code.
func runCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dagq run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := runOptions{gpus: gpusFlag(fs)}
	fs.StringVar(&o.state, "state", filepath.Join(".dagq", "state.db"), `file recording the jobs that succeeded, for --resume ("" for none)`)
	fs.BoolVar(&o.resume, "resume", false, "skip the jobs whose key succeeded in an earlier run")
	fs.StringVar(&o.logs, "logs", filepath.Join(".dagq", "logs"), `directory of the jobs' output, a file per attempt ("" for none)`)
	fs.StringVar(&o.trace, "trace", "", "write a Chrome/Perfetto trace of the run to this file")
	fs.StringVar(&o.timeline, "timeline", "", "write an HTML timeline of the run to this file")
	fs.StringVar(&o.display, "progress", "auto", "live display: auto (bars on a terminal, else lines), bars, lines or none")
	fs.DurationVar(&o.grace, "grace", 5*time.Second, "when killing a job, time between SIGTERM and SIGKILL")
	file, code, ok := parseArgs(fs, args)
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
	}
	p, err := loadPipeline(file, o.gpus.value())
	if err != nil {
		return reportInput(stderr, err)
	}
	return runPipeline(p, &o, stdout, stderr)
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
	s, display, err := newScheduler(p, o, store, running, stderr)
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
	begin := time.Now()
	if err := s.Start(context.Background()); err != nil {
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		return exitFailed
	}
	waited := make(chan error, 1)
	go func() { waited <- s.Wait(context.Background()) }()
	interrupted := false
	select {
	case <-waited:
	case <-sigs:
		interrupted = true
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
	if err := writeExports(o, tasks); err != nil {
		fmt.Fprintf(stderr, "dagq: %v\n", err)
		code = max(code, exitFailed)
	}
	if code != exitOK && o.state != "" {
		fmt.Fprintf(stderr, "dagq: to run only what did not succeed: dagq run --resume %s\n", p.file)
	}
	if interrupted {
		return exitInterrupted
	}
	return code
}

// openState opens the state file; without --resume it forgets the jobs'
// earlier results, so that every job runs. It returns nil without a state
// file.
func openState(p *pipeline, o *runOptions) (*boltstore.Store, error) {
	if o.state == "" {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(o.state), 0o755); err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	st, err := boltstore.Open(o.state)
	switch {
	case errors.Is(err, boltstore.ErrCorrupt):
		return nil, fmt.Errorf("state file: %w", err) // names the file and what to do
	case err != nil:
		return nil, fmt.Errorf("state file %s (is another dagq using it?): %w", o.state, err)
	}
	if !o.resume {
		for _, j := range p.jobs {
			if err := st.Delete(context.Background(), j.spec.Key); err != nil {
				st.Close()
				return nil, fmt.Errorf("state file %s: %w", o.state, err)
			}
		}
	}
	return st, nil
}

// newScheduler makes the scheduler of a pipeline, with its backends,
// store and display.
func newScheduler(p *pipeline, o *runOptions, store *boltstore.Store, running *runningFile, stderr io.Writer) (*dagq.Scheduler, *progress.Display, error) {
	execOpts := []dagq.ExecOption{dagq.ExecGrace(o.grace)}
	if running != nil {
		execOpts = append(execOpts, dagq.ExecOnStart(running.started))
	}
	if o.logs != "" {
		execOpts = append(execOpts, dagq.ExecLogDir(o.logs))
	}
	shell := dagq.Exec(execOpts...)
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
	if store != nil {
		opts = append(opts, dagq.WithStore(store))
	}
	var display *progress.Display
	switch mode := o.display; {
	case mode == "bars" || mode == "auto" && progress.IsTerminal(stderr):
		display = progress.New(stderr, progress.Bars(true))
		opts = append(opts, dagq.WithObserver(display))
	case mode == "lines" || mode == "auto":
		opts = append(opts, dagq.WithObserver(newLines(stderr)))
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
