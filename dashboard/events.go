package dashboard

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dagq/dagq"
)

// update is one message of the event stream: the state of a run, and the
// bars and failures the page has not had yet.
type update struct {
	Run         string           `json:"run"`
	Runs        []string         `json:"runs"`
	Now         int64            `json:"now"` // Unix milliseconds
	Totals      dagq.Counts      `json:"totals"`
	Queues      []queueView      `json:"queues"`
	Paused      bool             `json:"paused"`
	Parallelism int              `json:"parallelism"`
	Rate        float64          `json:"rate"` // finishes per second
	ETA         float64          `json:"eta"`  // seconds; -1 when unknown
	Pools       []dagq.PoolStats `json:"pools"`
	Bars        []bar            `json:"bars"`    // attempts ended since the last update
	Running     []bar            `json:"running"` // attempts running now
	Fails       []failure        `json:"fails"`   // failures and kills since the last update
	Sampled     bool             `json:"sampled"` // too fast to draw every attempt: the stream shows a sample
	Controls    bool             `json:"controls"`
	Stopped     bool             `json:"stopped"`
}

// queueView is a queue's line on the page.
type queueView struct {
	Name string `json:"name"`
	Size int    `json:"size"`
	dagq.Counts
}

// serveEvents streams updates as server-sent events: one at once, then
// one per interval in which something changed, until the client goes,
// the dashboard closes or the scheduler stopped and the last update went.
func (d *Dashboard) serveEvents(rw http.ResponseWriter, r *http.Request) {
	w, err := d.watchOf(r)
	if err != nil {
		jsonError(rw, http.StatusNotFound, err.Error())
		return
	}
	rc := http.NewResponseController(rw)
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	tick := time.NewTicker(d.cfg.interval)
	defer tick.Stop()
	var (
		nb, nf  uint64
		version = ^uint64(0)
		last    dagq.Stats
	)
	for {
		st := w.s.Stats()
		v := w.versionNow()
		if v != version || !sameStats(st, last) {
			u := d.updateOf(w, st, &nb, &nf)
			b, _ := json.Marshal(u) // the update holds no value json refuses
			if _, err := rw.Write(append(append([]byte("data: "), b...), '\n', '\n')); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
			version, last = v, st
		}
		select {
		case <-r.Context().Done():
			return
		case <-d.done:
			return
		case <-tick.C:
		}
	}
}

// versionNow returns the watch's change count.
func (w *watch) versionNow() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.version
}

// updateOf builds the next update of a page that has seen nb bars and nf
// failures, and advances both.
func (d *Dashboard) updateOf(w *watch, st dagq.Stats, nb, nf *uint64) update {
	bars, running, fails, b, f := w.since(*nb, *nf)
	*nb, *nf = b, f
	u := update{
		Run: w.name, Now: time.Now().UnixMilli(), Totals: st.Counts, Paused: w.s.Paused(),
		Parallelism: w.s.Parallelism(), Pools: w.s.Pools(), Bars: bars, Running: running, Fails: fails,
		Controls: d.cfg.controls, ETA: -1,
	}
	for _, o := range d.watches {
		u.Runs = append(u.Runs, o.name)
	}
	for _, q := range w.s.Queues() {
		u.Queues = append(u.Queues, queueView{Name: q.Name(), Size: q.Size(), Counts: st.Queues[q.Name()]})
	}
	slices.SortFunc(running, func(a, b bar) int { return strings.Compare(a.Lane, b.Lane) })
	w.mu.Lock()
	u.Rate, u.Stopped, u.Sampled = w.rateLocked(time.Now(), st.Succeeded+st.Failed+st.Killed), w.stopped, w.busy.Load()
	w.mu.Unlock()
	if left := st.Blocked + st.Queued + st.Running; u.Rate > 0 {
		u.ETA = float64(left) / u.Rate
	} else if left == 0 {
		u.ETA = 0
	}
	return u
}

// sameStats reports whether two snapshots hold the same counts.
func sameStats(a, b dagq.Stats) bool {
	return a.Counts == b.Counts && maps.Equal(a.Queues, b.Queues)
}
