package dashboard

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dagq/dagq"
)

// Bounds of what a watch keeps: the dashboard's memory does not grow with
// the run.
const (
	maxBars  = 4096 // recent attempts shown in the task stream
	maxFails = 256  // recent failures and kills
	rateSpan = 10   // seconds over which the finish rate is measured
)

// bar is one attempt in the task stream.
type bar struct {
	ID     dagq.TaskID `json:"id"`
	Name   string      `json:"name"`
	Lane   string      `json:"lane"`
	Start  int64       `json:"start"` // Unix milliseconds
	End    int64       `json:"end"`   // Unix milliseconds; 0 while running
	Status string      `json:"status"`
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

// attempt is a running attempt: its bar and the lane slot it holds.
type attempt struct {
	bar  bar
	slot int // index in lanes[queue], or -1 for a device lane
}

// watch follows one scheduler's task starts and ends, as an observer that
// takes only those events. It keeps the latest bars and failures in rings
// and the finishes of the last seconds; every field is guarded by mu.
type watch struct {
	name string
	s    *dagq.Scheduler

	mu       sync.Mutex
	version  uint64 // counts the changes the page shows
	bars     [maxBars]bar
	nbars    uint64 // bars ever finished: the next goes to bars[nbars%maxBars]
	fails    [maxFails]failure
	nfails   uint64
	running  map[dagq.TaskID]*attempt
	lanes    map[string][]bool // per queue: which slot lanes are taken
	buckets  [rateSpan + 1]int // finishes per second, by second mod len
	bucketAt int64             // the Unix second buckets ends at
	started  time.Time         // first event seen
	stopped  bool              // RunStopped seen
	remove   func()
}

func newWatch(name string, s *dagq.Scheduler) *watch {
	w := &watch{name: name, s: s, running: map[dagq.TaskID]*attempt{}, lanes: map[string][]bool{}}
	w.remove = s.AddObserver(w)
	return w
}

// Enabled takes the run's own events, starts, returns to Queued from
// Running (retries) and terminal statuses.
func (w *watch) Enabled(_ dagq.EventKind, from, to dagq.Status) bool {
	return to == 0 || to == dagq.Running || to.Terminal() || from == dagq.Running
}

// Observe records e.
func (w *watch) Observe(e dagq.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started.IsZero() {
		w.started = e.Time
	}
	w.version++
	t := &e.Task
	switch {
	case e.Kind == dagq.RunStopped:
		w.stopped = true
	case e.To == dagq.Running:
		w.startLocked(t, e.Time)
	case e.From == dagq.Running:
		w.endLocked(t, e.To, e.Time)
	}
	if e.To.Terminal() {
		w.countLocked(e.Time.Unix())
		if e.To != dagq.Succeeded {
			w.fails[w.nfails%maxFails] = failure{ID: t.ID, Name: name(t), Queue: t.Queue, Status: e.To.String(), Why: why(t), At: e.Time.UnixMilli()}
			w.nfails++
		}
	}
}

// startLocked gives a started attempt a lane: its devices' if it has
// any, else the first free slot of its queue.
func (w *watch) startLocked(t *dagq.TaskInfo, at time.Time) {
	a := &attempt{bar: bar{ID: t.ID, Name: name(t), Start: at.UnixMilli(), Status: dagq.Running.String()}, slot: -1}
	if len(t.Devices) > 0 {
		a.bar.Lane = "device " + strings.Join(t.Devices, ",")
	} else {
		slots := w.lanes[t.Queue]
		for a.slot = 0; a.slot < len(slots) && slots[a.slot]; a.slot++ {
		}
		if a.slot == len(slots) {
			slots = append(slots, false)
		}
		slots[a.slot] = true
		w.lanes[t.Queue] = slots
		a.bar.Lane = t.Queue + " " + strconv.Itoa(a.slot+1)
	}
	w.running[t.ID] = a
}

// endLocked closes the bar of an attempt that ended with status to
// (Queued for a retry).
func (w *watch) endLocked(t *dagq.TaskInfo, to dagq.Status, at time.Time) {
	a, ok := w.running[t.ID]
	if !ok {
		return
	}
	delete(w.running, t.ID)
	if a.slot >= 0 {
		w.lanes[t.Queue][a.slot] = false
	}
	a.bar.End, a.bar.Status = max(at.UnixMilli(), a.bar.Start), to.String()
	if to == dagq.Queued {
		a.bar.Status = "retried"
	}
	w.bars[w.nbars%maxBars] = a.bar
	w.nbars++
}

// countLocked counts a finish in the second sec.
func (w *watch) countLocked(sec int64) {
	w.advanceLocked(sec)
	if sec > w.bucketAt-int64(len(w.buckets)) {
		w.buckets[sec%int64(len(w.buckets))]++
	}
}

// advanceLocked moves the buckets' end to sec, emptying the seconds it
// passes.
func (w *watch) advanceLocked(sec int64) {
	if sec <= w.bucketAt {
		return
	}
	for s := max(w.bucketAt+1, sec-int64(len(w.buckets))+1); s <= sec; s++ {
		w.buckets[s%int64(len(w.buckets))] = 0
	}
	w.bucketAt = sec
}

// rateLocked returns finishes per second over the last full seconds
// (fewer than rateSpan early in a run).
func (w *watch) rateLocked(now time.Time) float64 {
	sec := now.Unix()
	w.advanceLocked(sec)
	span := int64(rateSpan)
	if !w.started.IsZero() {
		span = min(span, max(sec-w.started.Unix(), 1))
	}
	n := 0
	for s := sec - span; s < sec; s++ {
		n += w.buckets[s%int64(len(w.buckets))]
	}
	return float64(n) / float64(span)
}

// since returns the bars and failures recorded after the counts a page
// has seen (as many as the rings still hold), the running attempts, and
// the new counts.
func (w *watch) since(nbars, nfails uint64) (bars, running []bar, fails []failure, nb, nf uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := max(nbars, w.nbars-min(w.nbars, maxBars)); i < w.nbars; i++ {
		bars = append(bars, w.bars[i%maxBars])
	}
	for i := max(nfails, w.nfails-min(w.nfails, maxFails)); i < w.nfails; i++ {
		fails = append(fails, w.fails[i%maxFails])
	}
	running = make([]bar, 0, len(w.running))
	for _, a := range w.running {
		running = append(running, a.bar)
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
