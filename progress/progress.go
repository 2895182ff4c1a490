// Package progress shows a dagq run's progress in a terminal: a bar per
// queue with its counts, rate and estimated time left, and each failed
// task listed above the bars as it fails. When the output is not a
// terminal (a CI log, a file) it writes plain lines instead, at most one
// per queue per interval, plus the failures and a summary when the run
// is idle.
//
//	d := progress.New(os.Stderr)
//	s := dagq.New(dagq.WithObserver(d))
//	defer d.Close()
//
// Bars are drawn by github.com/vbauerster/mpb/v8.
package progress

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dagq/dagq"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Display is a [dagq.Observer] that shows progress. Create it with [New];
// one Display serves one scheduler. Its methods are safe for concurrent
// use. In bar mode it owns the goroutines of its bars until the run
// stops ([dagq.RunStopped], sent by Shutdown) or Close is called.
type Display struct {
	out      io.Writer
	interval time.Duration

	mu     sync.Mutex
	p      *mpb.Progress // nil in plain mode
	queues map[string]*queueState
	order  []string // queues in order of appearance
	closed bool
}

// queueState is what the display knows of one queue.
type queueState struct {
	name    string
	counts  dagq.Counts
	first   time.Time // first start, for the rate
	last    time.Time // latest event
	printed time.Time // last plain line
	dirty   bool      // changed since the last plain line
	bar     *mpb.Bar
	shown   atomic.Pointer[string] // status() for the bar, read by its renderer without the lock
}

// Option configures [New].
type Option func(*Display, *bool)

// Interval sets how often, at most, plain mode writes a queue's line
// (default 5s). Times are the events' times.
func Interval(d time.Duration) Option { return func(p *Display, _ *bool) { p.interval = d } }

// Bars forces bar mode on or off; by default bars are drawn when the
// output is a terminal.
func Bars(on bool) Option { return func(_ *Display, bars *bool) { *bars = on } }

// New returns a Display writing to out, with bars if out is a terminal
// (an *os.File on a character device) and plain lines otherwise.
func New(out io.Writer, opts ...Option) *Display {
	d := &Display{out: out, interval: 5 * time.Second, queues: map[string]*queueState{}}
	bars := IsTerminal(out)
	for _, o := range opts {
		o(d, &bars)
	}
	if bars {
		d.p = mpb.New(mpb.WithOutput(out), mpb.WithAutoRefresh(), mpb.WithWidth(100))
	}
	return d
}

// IsTerminal reports whether w is a terminal (an *os.File on a character
// device): what New checks to choose bars or plain lines.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Observe updates the display with one event.
func (d *Display) Observe(e dagq.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	switch e.Kind {
	case dagq.RunIdle:
		d.summaryLocked()
		return
	case dagq.RunStopped:
		d.summaryLocked()
		d.closeLocked()
		return
	}
	if e.Task.ID == 0 {
		return
	}
	q := d.queueLocked(e.Task.Queue)
	q.counts = e.Stats.Queues[q.name]
	q.last, q.dirty = e.Time, true
	if e.To == dagq.Running && q.first.IsZero() {
		q.first = e.Time
	}
	if e.To == dagq.Failed {
		d.printLocked(fmt.Sprintf("dagq: task %s (id %d) on queue %s failed: %v\n", taskName(e.Task), e.Task.ID, q.name, e.Task.Err))
	}
	if q.bar != nil {
		st := q.status()
		q.shown.Store(&st)
		q.bar.SetTotal(int64(q.counts.Submitted), false)
		q.bar.SetCurrent(int64(q.counts.Submitted - q.counts.Pending()))
		return
	}
	if e.Time.Sub(q.printed) >= d.interval {
		d.lineLocked(q)
	}
}

// Print writes a message of the application's, which should end in a
// newline: above the bars in bar mode, so that they are not garbled, or
// as a line of its own in plain mode and once the display is closed.
func (d *Display) Print(msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		_, _ = io.WriteString(d.out, msg)
		return
	}
	d.printLocked(msg)
}

// Close stops the bars (leaving them as they are on the screen) and
// waits for their goroutines; later events are ignored. Shutdown of the
// observed scheduler does this too. Safe to call more than once.
func (d *Display) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closeLocked()
}

func (d *Display) closeLocked() {
	if d.closed {
		return
	}
	d.closed = true
	if d.p == nil {
		return
	}
	for _, name := range d.order {
		q := d.queues[name]
		if q.counts.Pending() == 0 {
			q.bar.SetTotal(int64(q.counts.Submitted), true)
		} else {
			q.bar.Abort(false)
		}
	}
	d.p.Wait()
}

// queueLocked returns the state of queue name, making it and its bar.
func (d *Display) queueLocked(name string) *queueState {
	if q := d.queues[name]; q != nil {
		return q
	}
	q := &queueState{name: name}
	d.queues[name] = q
	d.order = append(d.order, name)
	if d.p != nil {
		empty := ""
		q.shown.Store(&empty)
		q.bar = d.p.AddBar(0,
			mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return *q.shown.Load() })))
	}
	return q
}

// summaryLocked writes every queue's line that changed since its last.
func (d *Display) summaryLocked() {
	if d.p != nil {
		return
	}
	for _, name := range d.order {
		if q := d.queues[name]; q.dirty {
			d.lineLocked(q)
		}
	}
}

func (d *Display) lineLocked(q *queueState) {
	c := q.counts
	d.printLocked(fmt.Sprintf("dagq: queue %s: %d/%d done, %s\n", q.name, c.Submitted-c.Pending(), c.Submitted, q.status()))
	q.printed, q.dirty = q.last, false
}

// printLocked writes a line, above the bars in bar mode.
func (d *Display) printLocked(line string) {
	// Without a bar there is nothing to print above, and mpb would hold
	// the line until a refresh that Close may not wait for.
	if d.p != nil && len(d.order) > 0 {
		_, _ = d.p.Write([]byte(line))
		return
	}
	_, _ = io.WriteString(d.out, line)
}

// status describes a queue's counts, rate and time left.
func (q *queueState) status() string {
	c := q.counts
	s := fmt.Sprintf("%d running, %d queued, %d blocked, %d failed, %d killed", c.Running, c.Queued, c.Blocked, c.Failed, c.Killed)
	done := c.Submitted - c.Pending()
	elapsed := q.last.Sub(q.first)
	if q.first.IsZero() || elapsed <= 0 || done == 0 {
		return s
	}
	rate := float64(done) / elapsed.Seconds()
	s += fmt.Sprintf(", %.1f/s", rate)
	if c.Pending() > 0 {
		eta := time.Duration(float64(c.Pending()) / rate * float64(time.Second))
		s += ", ETA " + eta.Round(roundTo(eta)).String()
	}
	return s
}

// roundTo picks a rounding that keeps about two significant digits.
func roundTo(d time.Duration) time.Duration {
	steps := []time.Duration{time.Hour, time.Minute, time.Second, 100 * time.Millisecond, time.Millisecond}
	i := slices.IndexFunc(steps, func(s time.Duration) bool { return d >= 10*s })
	if i < 0 {
		return time.Microsecond
	}
	return steps[i]
}

func taskName(t dagq.TaskInfo) string {
	if t.Name != "" {
		return fmt.Sprintf("%q", t.Name)
	}
	return "#" + fmt.Sprint(t.ID)
}
