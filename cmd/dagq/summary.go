package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dagq/dagq"
)

// writeSummary prints a table of the jobs (status, duration, wait, and
// why each failed or killed job did not succeed) and a totals line, and
// returns exitOK if every job succeeded, else exitFailed.
func writeSummary(w io.Writer, tasks []dagq.TaskInfo, elapsed time.Duration) int {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSTATUS\tDURATION\tWAIT\tNOTE")
	var c dagq.Counts
	cached := 0
	for _, t := range tasks {
		status := t.Status.String()
		if t.Cached {
			status, cached = "cached", cached+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, status, span(t.Duration(), !t.Started.IsZero()), span(t.Wait(), !t.Started.IsZero()), note(t))
		c.Submitted++
		switch t.Status {
		case dagq.Succeeded:
			c.Succeeded++
		case dagq.Failed:
			c.Failed++
		default:
			c.Killed++
		}
	}
	_ = tw.Flush()
	jobs := "jobs"
	if c.Submitted == 1 {
		jobs = "job"
	}
	fmt.Fprintf(w, "%d %s: %d succeeded (%d cached), %d failed, %d killed or not run, in %s\n",
		c.Submitted, jobs, c.Succeeded, cached, c.Failed, c.Killed, elapsed.Round(time.Millisecond))
	if c.Succeeded == c.Submitted {
		return exitOK
	}
	return exitFailed
}

// writeTails prints, under the summary, the last lines of each failed
// job's output, so that a failure can be read without opening its log.
func writeTails(w io.Writer, tasks []dagq.TaskInfo) {
	for _, t := range tasks {
		xe, ok := errors.AsType[*dagq.ExitError](t.Err)
		if t.Status != dagq.Failed || !ok || xe.Tail == "" {
			continue
		}
		fmt.Fprintf(w, "\n--- %s failed (%s); its last lines:\n%s\n", t.Name, note(t), xe.Tail)
	}
}

// span formats a duration for the table, "-" when the job never started.
func span(d time.Duration, started bool) string {
	if !started {
		return "-"
	}
	return d.Round(time.Millisecond).String()
}

// note says why a job did not succeed, or that it was cached.
func note(t dagq.TaskInfo) string {
	switch {
	case t.Cached:
		return "succeeded in an earlier run"
	case t.Status == dagq.Failed:
		if xe, ok := errors.AsType[*dagq.ExitError](t.Err); ok {
			s := fmt.Sprintf("exit code %d", xe.Code)
			if xe.Code < 0 { // cancelled, timed out or not started: say why
				s = firstLine(t.Err.Error())
				if cause, _, found := strings.Cut(s, " (dagq: command"); found {
					s = cause // the command's part is the log's
				}
			}
			if xe.Log != "" {
				s += ", log " + xe.Log
			}
			return s
		}
		return firstLine(t.Err.Error())
	case t.Status == dagq.Killed:
		return firstLine(t.Reason)
	}
	return ""
}

// firstLine returns s's first line, without the colon that introduces the
// lines after it (a command's output tail).
func firstLine(s string) string {
	s, rest, _ := strings.Cut(s, "\n")
	s = strings.TrimSpace(s)
	if rest != "" {
		s = strings.TrimSuffix(s, ":")
	}
	return s
}
