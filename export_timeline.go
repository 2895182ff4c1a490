package dagq

import (
	"bufio"
	"cmp"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Timeline geometry, in SVG user units (pixels).
const (
	tlLabel = 240 // width of the task-name column
	tlPlot  = 960 // width of the time axis
	tlRow   = 14  // height of one task's row
	tlHead  = 40  // height of the legend and axis above the rows
)

// statusColors are the fills of the exports, by status.
var statusColors = map[Status]string{
	Blocked:   "#d1d5db",
	Queued:    "#fcd34d",
	Running:   "#60a5fa",
	Succeeded: "#4ade80",
	Failed:    "#f87171",
	Killed:    "#9ca3af",
}

// WriteTimeline writes tasks (from [Scheduler.Tasks] or [Recorder.Tasks])
// as a self-contained HTML page holding one SVG Gantt chart: a row per
// task, grouped by queue and ordered by readiness (tasks killed while
// blocked by when they were killed), showing a thin grey
// line while it was blocked (Submitted → Ready), an amber bar while it
// waited for capacity (Ready → Started), and a bar coloured by its status
// while it ran (Started → Finished); a task killed before running ends in
// a cross. Hovering a row shows the task's times, reason and error. The
// page needs no script or network. Cost: O(n log n) time; about 500 bytes
// of output per task, so keep it to runs of a few thousand tasks (use
// [WriteTrace] for larger ones).
func WriteTimeline(w io.Writer, tasks []TaskInfo) error {
	clock := newTraceClock(tasks)
	span := max(clock.end.Sub(clock.t0), time.Nanosecond)
	x := func(at time.Time) float64 {
		return tlLabel + float64(at.Sub(clock.t0))/float64(span)*tlPlot
	}
	rows := timelineRows(tasks)
	height := tlHead + len(rows)*tlRow + 10
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, timelineHead, tlLabel+tlPlot+20, height)
	writeTimelineAxis(bw, span)
	for k, r := range rows {
		y := tlHead + k*tlRow
		if r.task == nil {
			fmt.Fprintf(bw, "<text class=\"group\" x=\"4\" y=\"%d\">%s</text>\n", y+11, html.EscapeString(r.group))
			continue
		}
		writeTimelineRow(bw, r.task, y, x, clock)
	}
	bw.WriteString("</svg>\n</body>\n</html>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("dagq: write timeline: %w", err)
	}
	return nil
}

const timelineHead = `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>dagq timeline</title>
<style>
body { font: 11px sans-serif; margin: 8px; }
text { font: 10px sans-serif; fill: #111827; }
text.group { font-weight: bold; }
line.tick { stroke: #e5e7eb; }
g.task:hover rect.row { fill: #f3f4f6; }
</style>
</head>
<body>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">
`

// timelineRow is a queue's heading (task nil) or a task.
type timelineRow struct {
	group string
	task  *TaskInfo
}

// timelineRows groups tasks by queue, in the order queues first appear,
// each group ordered by Ready (Finished for tasks never ready, Submitted
// for tasks still blocked), then ID.
func timelineRows(tasks []TaskInfo) []timelineRow {
	var queues []string
	byQueue := map[string][]*TaskInfo{}
	for i := range tasks {
		t := &tasks[i]
		if _, ok := byQueue[t.Queue]; !ok {
			queues = append(queues, t.Queue)
		}
		byQueue[t.Queue] = append(byQueue[t.Queue], t)
	}
	key := func(t *TaskInfo) time.Time {
		switch {
		case !t.Ready.IsZero():
			return t.Ready
		case !t.Finished.IsZero():
			return t.Finished
		}
		return t.Submitted
	}
	rows := make([]timelineRow, 0, len(tasks)+len(queues))
	for _, q := range queues {
		ts := byQueue[q]
		slices.SortStableFunc(ts, func(a, b *TaskInfo) int {
			return cmp.Or(key(a).Compare(key(b)), cmp.Compare(a.ID, b.ID))
		})
		rows = append(rows, timelineRow{group: "queue " + q})
		for _, t := range ts {
			rows = append(rows, timelineRow{task: t})
		}
	}
	return rows
}

// writeTimelineAxis writes the legend and about ten ticks of the time axis.
func writeTimelineAxis(w *bufio.Writer, span time.Duration) {
	legend := []struct {
		name string
		st   Status
	}{{"waiting", Queued}, {"running", Running}, {"succeeded", Succeeded}, {"failed", Failed}, {"killed", Killed}}
	for k, l := range legend {
		x := 4 + k*90
		fmt.Fprintf(w, "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"13\">%s</text>\n",
			x, statusColors[l.st], x+16, l.name)
	}
	step := niceStep(span / 10)
	for at := time.Duration(0); at <= span; at += step {
		x := tlLabel + float64(at)/float64(span)*tlPlot
		fmt.Fprintf(w, "<line class=\"tick\" x1=\"%.1f\" y1=\"22\" x2=\"%.1f\" y2=\"100%%\"/><text x=\"%.1f\" y=\"32\">%v</text>\n",
			x, x, x+2, at)
	}
}

// niceStep rounds d up to 1, 2 or 5 times a power of ten nanoseconds.
func niceStep(d time.Duration) time.Duration {
	p := time.Duration(math.Pow(10, math.Floor(math.Log10(float64(max(d, 1))))))
	for _, m := range []time.Duration{1, 2, 5, 10} {
		if m*p >= d {
			return m * p
		}
	}
	return 10 * p
}

// writeTimelineRow writes one task's row: hover area, label and bars.
func writeTimelineRow(w *bufio.Writer, t *TaskInfo, y int, x func(time.Time) float64, clock traceClock) {
	fmt.Fprintf(w, "<g class=\"task\"><title>%s</title>", html.EscapeString(timelineTooltip(t)))
	fmt.Fprintf(w, "<rect class=\"row\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" pointer-events=\"all\"/>", y, tlLabel+tlPlot, tlRow)
	fmt.Fprintf(w, "<text x=\"12\" y=\"%d\">%s</text>", y+10, html.EscapeString(truncate(taskName(t), 38)))
	mid := float64(y) + tlRow/2
	if !t.Submitted.IsZero() && !t.Ready.IsZero() {
		fmt.Fprintf(w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", x(t.Submitted), mid, x(t.Ready), mid, statusColors[Blocked])
	}
	waitEnd := t.Started
	if waitEnd.IsZero() {
		waitEnd = t.Finished
	}
	if !t.Ready.IsZero() && !waitEnd.IsZero() {
		writeBar(w, "wait", x(t.Ready), x(waitEnd), y+3, tlRow-6, statusColors[Queued])
	}
	if !t.Started.IsZero() {
		writeBar(w, "run", x(t.Started), x(clock.stop(t)), y+1, tlRow-2, statusColors[t.Status])
	} else if t.Status == Killed {
		cx := x(t.Finished)
		fmt.Fprintf(w, "<path class=\"kill\" d=\"M%.1f %d l6 6 m0 -6 l-6 6\" stroke=\"#374151\"/>", cx-3, y+4)
	}
	w.WriteString("</g>\n")
}

func writeBar(w *bufio.Writer, class string, x1, x2 float64, y, h int, fill string) {
	fmt.Fprintf(w, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", class, x1, y, max(x2-x1, 1), h, fill)
}

// timelineTooltip describes a task in a few lines.
func timelineTooltip(t *TaskInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (id %d) on queue %s, backend %s: %v", taskName(t), t.ID, t.Queue, t.Backend, t.Status)
	if t.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", t.Attempts)
	}
	if !t.Started.IsZero() {
		fmt.Fprintf(&b, "\nwaited %v, ran %v", t.Wait(), t.Duration())
	}
	if t.Reason != "" {
		b.WriteString("\nreason: " + t.Reason)
	}
	if t.Err != nil && t.Status == Failed {
		b.WriteString("\nerror: " + t.Err.Error())
	}
	return b.String()
}

// truncate shortens s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
