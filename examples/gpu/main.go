// Command gpu runs a pipeline of simulated training jobs on two GPUs,
// "0" and "1", and prints which devices each job got. A Fake backend
// plays the jobs (it sleeps instead of training), wrapped in a GPU backend
// that hands out the devices: jobs needing one GPU share the two, the job
// needing both waits until both are free, and a small job queued behind it
// goes first instead of leaving a device idle.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/dagq/dagq"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run runs the pipeline, printing to w.
func run(w io.Writer) error {
	ms := time.Millisecond
	fake := dagq.NewFake(
		dagq.FakeTask("prepare data", dagq.FakeScript{Duration: 10 * ms}),
		dagq.FakeTask("train small-a", dagq.FakeScript{Duration: 30 * ms}),
		dagq.FakeTask("train small-b", dagq.FakeScript{Duration: 60 * ms}),
		dagq.FakeTask("train large", dagq.FakeScript{Duration: 40 * ms}),
		dagq.FakeTask("train small-c", dagq.FakeScript{Duration: 10 * ms}),
		dagq.FakeTask("evaluate", dagq.FakeScript{Duration: 10 * ms}),
	)
	gpu, err := dagq.NewGPU("0,1", dagq.WithInner(fake))
	if err != nil {
		return err
	}
	s := dagq.New(dagq.WithBackend("gpu", gpu), dagq.WithDefaultBackend("gpu"),
		dagq.WithObserver(dagq.ObserverFunc(func(e dagq.Event) {
			if e.Kind == dagq.TaskStarted {
				fmt.Fprintf(w, "start  %-14s %s\n", e.Task.Name, where(e.Task.Devices))
			}
		})))
	defer s.Shutdown(context.Background())
	if _, err := s.Queue("train", 4); err != nil {
		return err
	}
	cmd := []string{"python", "train.py"} // what a real run would start (with WithInner(dagq.Exec()))
	gpus := func(n int) dagq.Resources { return dagq.Resources{GPUs: n} }
	err = s.Add(
		dagq.Spec{Name: "prepare data", Queue: "train", Cmd: cmd},
		dagq.Spec{Name: "train small-a", Queue: "train", Cmd: cmd, Needs: gpus(1), Deps: []string{"prepare data"}},
		dagq.Spec{Name: "train small-b", Queue: "train", Cmd: cmd, Needs: gpus(1), Deps: []string{"prepare data"}},
		dagq.Spec{Name: "train large", Queue: "train", Cmd: cmd, Needs: gpus(2), Deps: []string{"prepare data"}},
		dagq.Spec{Name: "train small-c", Queue: "train", Cmd: cmd, Needs: gpus(1), Deps: []string{"prepare data"}},
		dagq.Spec{Name: "evaluate", Queue: "train", Cmd: cmd,
			Deps: []string{"train small-a", "train small-b", "train large", "train small-c"}},
	)
	if err != nil {
		return err
	}
	if err := s.Run(context.Background()); err != nil {
		return err
	}
	fmt.Fprintln(w, "devices free at the end:", gpu.Free())
	return nil
}

func where(devices []string) string {
	if len(devices) == 0 {
		return "on a CPU slot"
	}
	return fmt.Sprint("on GPUs ", devices)
}
