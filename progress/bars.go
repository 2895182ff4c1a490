package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// Control sequences (ECMA-48) the bars use: nothing else is written to
// the terminal.
const (
	clearLine = "\x1b[2K" // erase the line the cursor is on
	clearDown = "\x1b[J"  // erase from the cursor to the end of the screen
	green     = "\x1b[32m"
	red       = "\x1b[31m"
	reset     = "\x1b[0m"
)

// Default terminal size, when the terminal does not tell (or says 0).
const (
	defaultCols = 80
	defaultRows = 24
)

// bars draws a line per queue at the bottom of a terminal and redraws
// them in place: it moves the cursor up over the lines it drew, rewrites
// them, and clears what is below. Messages are written above the lines
// (Print), so nothing is ever written over them. Its state is guarded by
// the Display's mutex.
type bars struct {
	out     io.Writer
	size    func() (cols, rows int)
	color   bool
	refresh time.Duration

	drawn   int  // lines of the last frame, to move up over
	dirty   bool // changed since the last frame
	started bool // the refresh goroutine runs
	stop    chan struct{}
	stopped chan struct{}
}

func newBars(out io.Writer) *bars {
	return &bars{out: out, size: terminalSize(out), color: os.Getenv("NO_COLOR") == "", refresh: 100 * time.Millisecond,
		stop: make(chan struct{}), stopped: make(chan struct{})}
}

// terminalSize returns the function that asks the terminal behind out
// for its size, each frame, so that a resized window is followed.
func terminalSize(out io.Writer) func() (int, int) {
	f, ok := out.(*os.File)
	return func() (int, int) {
		if !ok {
			return 0, 0
		}
		cols, rows, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0, 0
		}
		return cols, rows
	}
}

// dims returns the terminal's size, the defaults for what it does not
// tell.
func (b *bars) dims() (cols, rows int) {
	cols, rows = b.size()
	if cols <= 0 {
		cols = defaultCols
	}
	if rows <= 0 {
		rows = defaultRows
	}
	return cols, rows
}

// up returns the sequence that moves the cursor to the first line of the
// last frame.
func (b *bars) up() string {
	if b.drawn == 0 {
		return "\r"
	}
	return fmt.Sprintf("\r\x1b[%dA", b.drawn)
}

// draw rewrites the frame in place, with msg (whole lines) above it.
func (b *bars) draw(msg string, lines []string) {
	var s strings.Builder
	s.WriteString(b.up())
	if msg != "" {
		s.WriteString(clearDown)
		s.WriteString(msg)
	}
	for _, l := range lines {
		s.WriteString(clearLine)
		s.WriteString(l)
		s.WriteByte('\n')
	}
	s.WriteString(clearDown)
	_, _ = io.WriteString(b.out, s.String())
	b.drawn, b.dirty = len(lines), false
}

// frame renders the queues' lines for the terminal's size: at most one
// line fewer than its rows (the last says how many queues it left out),
// each shorter than its width.
func (d *Display) frameLocked() []string {
	cols, rows := d.bars.dims()
	qs := make([]*queueState, 0, len(d.order))
	for _, name := range d.order {
		qs = append(qs, d.queues[name])
	}
	more := 0
	if limit := max(rows-1, 1); len(qs) > limit {
		more = len(qs) - (limit - 1)
		qs = qs[:limit-1]
	}
	nameW, countW := 0, 0
	for _, q := range qs {
		nameW = max(nameW, utf8.RuneCountInString(q.name))
		n := q.counts.Submitted
		countW = max(countW, len(fmt.Sprintf("%d/%d", n, n))) // steady as the count grows
	}
	nameW = min(nameW, max(cols/4, 4))
	width := cols - 1 // a line as wide as the terminal would wrap on some
	// The statuses come first: the bars (one width for all, so that they
	// line up) take what the longest leaves, up to maxBar; they shrink to
	// minBar, and go when even then a status would have fewer than
	// minStatus columns.
	rest, statusW := width-nameW-1-countW-1, 0
	for _, q := range qs {
		statusW = max(statusW, len(q.compactStatus()))
	}
	barW := 0
	switch {
	case rest-statusW-1 >= minBar:
		barW = min(maxBar, rest-statusW-1)
	case rest-minBar-1 >= minStatus:
		barW = minBar
	}
	lines := make([]string, 0, len(qs)+1)
	for _, q := range qs {
		lines = append(lines, d.bars.line(q, width, nameW, countW, barW))
	}
	if more > 0 {
		lines = append(lines, fit(fmt.Sprintf("… and %d more queues", more), cols-1))
	}
	return lines
}

// Bar widths, and the status room below which the bar gives way.
const (
	minBar    = 10
	maxBar    = 40
	minStatus = 16
)

// line renders one queue in width columns: its name, its counter, a bar
// of barW columns (none if 0) and its status, cut with "…" if it does not
// fit.
func (b *bars) line(q *queueState, width, nameW, countW, barW int) string {
	line := fmt.Sprintf("%-*s %*s", nameW, fit(q.name, nameW), countW, q.counter())
	rest := width - utf8.RuneCountInString(line) - 1
	if rest < 1 {
		return fit(line, width)
	}
	if barW > 0 {
		line += " " + b.bar(q.counts.Submitted-q.counts.Pending(), q.counts.Submitted, barW)
		rest -= barW + 1
	}
	if status := q.compactStatus(); status != "" && rest > 0 {
		line += " " + b.paint(fit(status, rest))
	}
	return line
}

// bar draws done of total in width columns: [=====>    ].
func (b *bars) bar(done, total, width int) string {
	inner := width - 2
	full := 0
	if total > 0 {
		full = done * inner / total
	}
	head := ""
	if full < inner && done > 0 {
		head = ">"
	}
	fill := strings.Repeat("=", full) + head
	if b.color {
		fill = green + fill + reset
	}
	return "[" + fill + strings.Repeat(" ", inner-full-len(head)) + "]"
}

// paint colours the failures in a status, if colours are on.
func (b *bars) paint(status string) string {
	if !b.color {
		return status
	}
	for _, word := range []string{" failed", " killed"} {
		if i := strings.Index(status, word); i >= 0 {
			start := strings.LastIndex(status[:i], " ") + 1
			status = status[:start] + red + status[start:i+len(word)] + reset + status[i+len(word):]
		}
	}
	return status
}

// fit cuts s to width columns, ending it with "…" if it was cut.
func fit(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if width <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}

// counter is a queue's "done/submitted".
func (q *queueState) counter() string {
	c := q.counts
	return fmt.Sprintf("%d/%d", c.Submitted-c.Pending(), c.Submitted)
}

// compactStatus is status without the counts that are 0.
func (q *queueState) compactStatus() string {
	c := q.counts
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Running, "running"}, {c.Queued, "queued"}, {c.Blocked, "blocked"}, {c.Failed, "failed"}, {c.Killed, "killed"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	parts = append(parts, q.rate()...)
	return strings.Join(parts, ", ")
}
