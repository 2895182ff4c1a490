package dashboard

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dagq/dagq"
)

// Bounds of what a watch keeps and takes: the dashboard's memory does not
// grow with the run, and neither does its cost.
const (
	maxBars    = 4096 // recent attempts shown in the task stream
	maxFails   = 256  // recent failures and kills
	maxSamples = 21   // finish counts, every sampleGap, for the rate
	sampleGap  = 500 * time.Millisecond
	rateSpan   = 10 * time.Second // the rate is over the last rateSpan

	// A run that starts and ends attempts faster than busyEvents per
	// busyWindow is too fast to draw one bar per attempt, and taking its
	// events would cost it more than the page is worth: the watch then
	// takes only failures for busyPause, and samples again.
	busyEvents = 1000
	busyWindow = 100 * time.Millisecond
	busyPause  = time.Second
)

// bar is one attempt in the task stream. Its lane is a slot of its queue
// or, for an attempt on devices, the devices; the name the page shows is
// made only when the bar is sent (see lane).
type bar struct {
	ID      dagq.TaskID `json:"id"`
	Name    string      `json:"name"`
	Lane    string      `json:"lane"`
	Start   int64       `json:"start"` // Unix milliseconds
	End     int64       `json:"end"`   // Unix milliseconds; 0 while running
	Status  string      `json:"status"`
	queue   string
	slot    int      // from 0; -1 for an attempt on devices
	devices []string // the attempt's devices (TaskInfo.Devices, a copy)
}

// named returns b with its name (#ID for an unnamed task) and its lane's.
func (b bar) named() bar {
	if b.Name == "" {
		b.Name = "#" + strconv.FormatUint(uint64(b.ID), 10)
	}
	if b.slot < 0 {
		b.Lane = "device " + strings.Join(b.devices, ",")
	} else {
		b.Lane = b.queue + " " + strconv.Itoa(b.slot+1)
	}
	return b
}

// failure is a task that failed or was killed.
type failure struct {
	ID     dagq.TaskID `json:"id"`
	Name   string      `json:"name"`
	Queue  string      `json:"queue"`
	Status string      `json:"status"`
	Why    string      `json:"why"`
	At     int64       `json:"at"`
}

// watch follows one scheduler's task starts and ends, as an observer that
// takes only those events, and keeps the latest bars and failures in
// rings. When events come too fast (see busyEvents) it takes only
// failures for a while: the stream then shows what it sampled. Fields
// below mu are guarded by it.
type watch struct {
	name string
	s    *dagq.Scheduler
	busy atomic.Bool // taking only failures; read by Enabled

	mu        sync.Mutex
	version   uint64 // counts the changes the page shows
	bars      [maxBars]bar
	nbars     uint64 // bars ever finished: the next goes to bars[nbars%maxBars]
	fails     [maxFails]failure
	nfails    uint64
	running   map[dagq.TaskID]bar // attempts running, by task
	lanes     map[string][]bool   // per queue: which slot lanes are taken
	window    time.Time           // start of the current busyWindow
	inWindow  int                 // events taken in it
	busyUntil time.Time
	samples   [maxSamples]sample
	nsamples  int
	stopped   bool // RunStopped seen
	remove    func()
}

// sample is how many tasks had finished at a time.
type sample struct {
	at   time.Time
	done int
}

func newWatch(name string, s *dagq.Scheduler) *watch {
	w := &watch{name: name, s: s, running: map[dagq.TaskID]bar{}, lanes: map[string][]bool{}}
	w.remove = s.AddObserver(w)
	return w
}

// Enabled takes the run's own events and failures and, unless the watch
// is busy, starts, returns to Queued from Running (retries) and the other
// terminal statuses.
func (w *watch) Enabled(_ dagq.EventKind, from, to dagq.Status) bool {
	if to == 0 || to == dagq.Failed {
		return true
	}
	return !w.busy.Load() && (to == dagq.Running || to.Terminal() || from == dagq.Running)
}

// ReadsQueueStats tells the scheduler that Observe does not read
// Event.Stats.Queues, which spares a copy per event.
func (w *watch) ReadsQueueStats() bool { return false }

// Observe records e.
func (w *watch) Observe(e dagq.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.version++
	if e.Kind == dagq.RunStopped {
		w.stopped = true
		return
	}
	if w.pacedLocked(e.Time) {
		t := &e.Task
		switch {
		case e.To == dagq.Running:
			w.startLocked(t, e.Time)
		case e.From == dagq.Running:
			w.endLocked(t, e.To, e.Time)
		}
	}
	if e.To == dagq.Failed || e.To == dagq.Killed {
		t := &e.Task
		w.fails[w.nfails%maxFails] = failure{ID: t.ID, Name: name(t), Queue: t.Queue, Status: e.To.String(), Why: why(t), At: e.Time.UnixMilli()}
		w.nfails++
	}
}

// pacedLocked counts a task event at time at and reports whether the
// watch draws it: not while busy. Too many events in one window make it
// busy, and forget the attempts it was following (it will not see them
// end); once the pause is over it follows the attempts that start.
func (w *watch) pacedLocked(at time.Time) bool {
	if w.busy.Load() {
		if at.Before(w.busyUntil) {
			return false
		}
		w.busy.Store(false)
	}
	if at.Sub(w.window) >= busyWindow {
		w.window, w.inWindow = at, 0
	}
	if w.inWindow++; w.inWindow <= busyEvents {
		return true
	}
	w.busy.Store(true)
	w.busyUntil = at.Add(busyPause)
	clear(w.running)
	for q, slots := range w.lanes {
		w.lanes[q] = slots[:0]
	}
	return false
}

// startLocked gives a started attempt a lane: its devices' if it has
// any, else the first free slot of its queue.
func (w *watch) startLocked(t *dagq.TaskInfo, at time.Time) {
	b := bar{ID: t.ID, Name: t.Name, Start: at.UnixMilli(), Status: "running", queue: t.Queue, slot: -1, devices: t.Devices}
	if len(t.Devices) == 0 {
		slots := w.lanes[t.Queue]
		for b.slot = 0; b.slot < len(slots) && slots[b.slot]; b.slot++ {
		}
		if b.slot == len(slots) {
			slots = append(slots, false)
			w.lanes[t.Queue] = slots
		}
		slots[b.slot] = true
	}
	w.running[t.ID] = b
}

// endLocked closes the bar of an attempt that ended with status to
// (Queued for a retry).
func (w *watch) endLocked(t *dagq.TaskInfo, to dagq.Status, at time.Time) {
	b, ok := w.running[t.ID]
	if !ok {
		return
	}
	delete(w.running, t.ID)
	if b.slot >= 0 {
		w.lanes[b.queue][b.slot] = false
	}
	b.End, b.Status = max(at.UnixMilli(), b.Start), to.String()
	if to == dagq.Queued {
		b.Status = "retried"
	}
	w.bars[w.nbars%maxBars] = b
	w.nbars++
}

// rateLocked records how many tasks had finished by now (done) and
// returns the finishes per second since the oldest sample of the last
// rateSpan (0 at the first).
func (w *watch) rateLocked(now time.Time, done int) float64 {
	if w.nsamples == 0 || now.Sub(w.samples[(w.nsamples-1)%maxSamples].at) >= sampleGap {
		w.samples[w.nsamples%maxSamples] = sample{now, done}
		w.nsamples++
	}
	// The oldest sample of the last rateSpan, else the newest one.
	first := w.samples[(w.nsamples-1)%maxSamples]
	for i := max(w.nsamples-maxSamples, 0); i < w.nsamples; i++ {
		if sm := w.samples[i%maxSamples]; now.Sub(sm.at) <= rateSpan {
			first = sm
			break
		}
	}
	if d := now.Sub(first.at); d > 0 {
		return float64(done-first.done) / d.Seconds()
	}
	return 0
}

// since returns the bars and failures recorded after the counts a page
// has seen (as many as the rings still hold), the running attempts, and
// the new counts.
func (w *watch) since(nbars, nfails uint64) (bars, running []bar, fails []failure, nb, nf uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := max(nbars, w.nbars-min(w.nbars, maxBars)); i < w.nbars; i++ {
		bars = append(bars, w.bars[i%maxBars].named())
	}
	for i := max(nfails, w.nfails-min(w.nfails, maxFails)); i < w.nfails; i++ {
		fails = append(fails, w.fails[i%maxFails])
	}
	running = make([]bar, 0, len(w.running))
	for _, b := range w.running {
		running = append(running, b.named())
	}
	return bars, running, fails, w.nbars, w.nfails
}

// name is a task's name, or #ID.
func name(t *dagq.TaskInfo) string {
	if t.Name != "" {
		return t.Name
	}
	return "#" + strconv.FormatUint(uint64(t.ID), 10)
}

// why is the reason a task was killed or its error.
func why(t *dagq.TaskInfo) string {
	switch {
	case t.Status == dagq.Killed && t.Reason != "":
		return t.Reason
	case t.Err != nil:
		return t.Err.Error()
	}
	return t.Reason
}
