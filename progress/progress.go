// Package progress shows a dagq run's progress in a terminal: a bar per
// queue with its counts, rate and estimated time left, and each failed
// task listed above the bars as it fails. When the output is not a
// terminal (a CI log, a file), or TERM is "dumb", it writes plain lines
// instead, at most one per queue per interval, plus the failures and a
// summary when the run is idle: no control codes at all.
//
//	d := progress.New(os.Stderr)
//	s := dagq.New(dagq.WithObserver(d))
//	defer d.Close()
//
// The bars fit the terminal's width, read again at each redraw (a line
// drops its bar, then cuts its status with "…", rather than wrap), and
// its height (queues past it are counted on a last line); a terminal that
// reports no size is taken as 80×24. They are coloured unless NO_COLOR is
// set. Messages printed with [Display.Print] go above the bars, which are
// then redrawn below them: nothing is written over them.
package progress

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/dagq/dagq"
	"golang.org/x/term"
)

// Display is a [dagq.Observer] that shows progress. Create it with [New];
// one Display serves one scheduler. Its methods are safe for concurrent
// use. In bar mode, from its first event, it owns a goroutine that
// redraws the bars until the run stops ([dagq.RunStopped], sent by
// Shutdown) or Close is called.
type Display struct {
	out      io.Writer
	interval time.Duration

	mu     sync.Mutex
	bars   *bars // nil in plain mode
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
}

// Option configures [New].
type Option func(*Display, *settings)

// settings are the options that choose how New draws.
type settings struct {
	bars  bool
	color bool
	size  func() (cols, rows int)
}

// Interval sets how often, at most, plain mode writes a queue's line
// (default 5s). Times are the events' times.
func Interval(d time.Duration) Option { return func(p *Display, _ *settings) { p.interval = d } }

// Bars forces bar mode on or off; by default bars are drawn when the
// output is a terminal and TERM is not "dumb".
func Bars(on bool) Option { return func(_ *Display, s *settings) { s.bars = on } }

// Color turns the bars' colours on or off; by default they are on unless
// the NO_COLOR environment variable is set (https://no-color.org).
func Color(on bool) Option { return func(_ *Display, s *settings) { s.color = on } }

// Size sets the function the bars ask for the terminal's size at each
// redraw (by default the terminal behind the output is asked); a size ≤ 0
// stands for the default, 80 columns or 24 rows.
func Size(fn func() (cols, rows int)) Option { return func(_ *Display, s *settings) { s.size = fn } }

// New returns a Display writing to out, with bars if out is a terminal
// and TERM is not "dumb", and plain lines otherwise.
func New(out io.Writer, opts ...Option) *Display {
	d := &Display{out: out, interval: 5 * time.Second, queues: map[string]*queueState{}}
	b := newBars(out)
	s := settings{bars: IsTerminal(out) && os.Getenv("TERM") != "dumb", color: b.color, size: b.size}
	for _, o := range opts {
		if o != nil {
			o(d, &s)
		}
	}
	if s.bars {
		b.color, b.size = s.color, s.size
		d.bars = b
	}
	return d
}

// IsTerminal reports whether w is a terminal (an *os.File open on one):
// what New checks, with TERM, to choose bars or plain lines.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
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
	if d.bars != nil {
		d.bars.dirty = true
		d.startLocked()
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
	b := d.bars
	if b == nil {
		return
	}
	if len(d.order) > 0 {
		b.draw("", d.frameLocked()) // the last state stays on the screen
	}
	if b.started {
		close(b.stop)
		d.mu.Unlock() // the goroutine may wait for the lock
		<-b.stopped
		d.mu.Lock()
	}
}

// startLocked starts the goroutine that redraws the bars.
func (d *Display) startLocked() {
	b := d.bars
	if b.started {
		return
	}
	b.started = true
	go func() {
		defer close(b.stopped)
		t := time.NewTicker(b.refresh)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				d.mu.Lock()
				if b.dirty && !d.closed {
					b.draw("", d.frameLocked())
				}
				d.mu.Unlock()
			}
		}
	}()
}

// queueLocked returns the state of queue name, making it and its bar.
func (d *Display) queueLocked(name string) *queueState {
	if q := d.queues[name]; q != nil {
		return q
	}
	q := &queueState{name: name}
	d.queues[name] = q
	d.order = append(d.order, name)
	return q
}

// summaryLocked writes every queue's line that changed since its last.
func (d *Display) summaryLocked() {
	if d.bars != nil {
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
	if d.bars != nil && d.bars.drawn > 0 {
		d.bars.draw(line, d.frameLocked())
		return
	}
	_, _ = io.WriteString(d.out, line)
}

// status describes a queue's counts, rate and time left.
func (q *queueState) status() string {
	c := q.counts
	s := fmt.Sprintf("%d running, %d queued, %d blocked, %d failed, %d killed", c.Running, c.Queued, c.Blocked, c.Failed, c.Killed)
	for _, r := range q.rate() {
		s += ", " + r
	}
	return s
}

// rate returns the queue's rate and, while tasks are pending, the time
// left at that rate; nothing before a task has ended.
func (q *queueState) rate() []string {
	c := q.counts
	done := c.Submitted - c.Pending()
	elapsed := q.last.Sub(q.first)
	if q.first.IsZero() || elapsed <= 0 || done == 0 {
		return nil
	}
	rate := float64(done) / elapsed.Seconds()
	out := []string{fmt.Sprintf("%.1f/s", rate)}
	if c.Pending() > 0 {
		eta := time.Duration(float64(c.Pending()) / rate * float64(time.Second))
		out = append(out, "ETA "+eta.Round(roundTo(eta)).String())
	}
	return out
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
