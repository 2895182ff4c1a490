package progress_test

import (
	"errors"
	"os"
	"time"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/progress"
)

// In a log (not a terminal) the display writes a queue's line at most
// once per interval, failures at once, and a last line when the run is
// idle. The events here are made up, with fixed times, to show the
// output; a scheduler sends them to the display given to WithObserver.
func Example_plainLines() {
	d := progress.New(os.Stdout, progress.Bars(false), progress.Interval(10*time.Second))
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	event := func(sec int, to dagq.Status, c dagq.Counts, id dagq.TaskID, err error) dagq.Event {
		return dagq.Event{Kind: dagq.TaskFinished, Time: t0.Add(time.Duration(sec) * time.Second), To: to, From: dagq.Running,
			Task:  dagq.TaskInfo{ID: id, Name: "sim", Queue: "sims", Err: err},
			Stats: dagq.Stats{Queues: map[string]dagq.Counts{"sims": c}}}
	}
	d.Observe(dagq.Event{Kind: dagq.TaskStarted, Time: t0, To: dagq.Running, From: dagq.Queued,
		Task:  dagq.TaskInfo{ID: 1, Name: "sim", Queue: "sims"},
		Stats: dagq.Stats{Queues: map[string]dagq.Counts{"sims": {Submitted: 4, Queued: 3, Running: 1}}}})
	d.Observe(event(5, dagq.Succeeded, dagq.Counts{Submitted: 4, Queued: 2, Running: 1, Succeeded: 1}, 1, nil))
	d.Observe(event(8, dagq.Failed, dagq.Counts{Submitted: 4, Queued: 1, Running: 1, Succeeded: 1, Failed: 1}, 2, errors.New("diverged")))
	d.Observe(event(12, dagq.Succeeded, dagq.Counts{Submitted: 4, Running: 1, Succeeded: 2, Failed: 1}, 3, nil))
	d.Observe(event(16, dagq.Succeeded, dagq.Counts{Submitted: 4, Succeeded: 3, Failed: 1}, 4, nil))
	d.Observe(dagq.Event{Kind: dagq.RunIdle, Time: t0.Add(16 * time.Second)})
	d.Close()
	// Output:
	// dagq: queue sims: 0/4 done, 1 running, 3 queued, 0 blocked, 0 failed, 0 killed
	// dagq: task "sim" (id 2) on queue sims failed: diverged
	// dagq: queue sims: 3/4 done, 1 running, 0 queued, 0 blocked, 1 failed, 0 killed, 0.2/s, ETA 4s
	// dagq: queue sims: 4/4 done, 0 running, 0 queued, 0 blocked, 1 failed, 0 killed, 0.2/s
}
