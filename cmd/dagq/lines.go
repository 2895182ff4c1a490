package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dagq/dagq"
)

// lines is the display for logs and pipes: a line when a job starts and
// when it ends, stamped with the time since the run started. The
// scheduler calls Observe from one goroutine at a time.
type lines struct {
	w     io.Writer
	start time.Time
}

func newLines(w io.Writer) *lines { return &lines{w: w} }

// Observe writes the line of a job that started or finished.
func (l *lines) Observe(e dagq.Event) {
	if l.start.IsZero() {
		l.start = e.Time
	}
	t := e.Task
	var msg string
	switch {
	case e.Kind == dagq.TaskStarted:
		msg = "start " + t.Name
		if len(t.Devices) > 0 {
			msg += " on GPU " + strings.Join(t.Devices, ",")
		}
	case e.Kind != dagq.TaskFinished:
		return
	case t.Cached:
		msg = "cached " + t.Name + " (succeeded in an earlier run)"
	case t.Status == dagq.Succeeded:
		msg = fmt.Sprintf("ok %s in %s", t.Name, t.Duration().Round(time.Millisecond))
	case t.Status == dagq.Failed:
		msg = fmt.Sprintf("FAILED %s: %s", t.Name, note(t))
	default:
		msg = fmt.Sprintf("killed %s: %s", t.Name, note(t))
	}
	fmt.Fprintf(l.w, "[%7.2fs] %s\n", e.Time.Sub(l.start).Seconds(), msg)
}
