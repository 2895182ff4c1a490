package dashboard

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/dagq/dagq"
)

// Limits of the API's queries.
const (
	maxQuery     = 200     // characters of a search or filter value
	maxLimit     = 500     // rows of one task table page
	maxOffset    = 1 << 30 // a task table page's offset
	maxRelatives = 200     // dependencies or dependents listed on a task page
	maxKills     = 10000   // tasks counted in a cancel's preview
	maxGraph     = 150     // nodes of the graph around a task
	maxDepth     = 6       // levels of that graph each way
	logTail      = 16 << 10
	scanChunk    = 1024 // tasks read at once while a search scans the run
)

// row is a task in the task table.
type row struct {
	ID       dagq.TaskID `json:"id"`
	Name     string      `json:"name"`
	Queue    string      `json:"queue"`
	Status   string      `json:"status"`
	Tenant   string      `json:"tenant,omitempty"`
	Key      string      `json:"key,omitempty"`
	Attempts int         `json:"attempts"`
	Started  int64       `json:"started"`  // Unix milliseconds, 0 if never
	Finished int64       `json:"finished"` // Unix milliseconds, 0 if not yet
	Why      string      `json:"why,omitempty"`
}

func rowOf(t *dagq.TaskInfo) row {
	return row{ID: t.ID, Name: name(t), Queue: t.Queue, Status: t.Status.String(), Tenant: t.Tenant, Key: t.Key,
		Attempts: t.Attempts, Started: unixMilli(t.Started.UnixMilli(), t.Started.IsZero()),
		Finished: unixMilli(t.Finished.UnixMilli(), t.Finished.IsZero()), Why: truncate(why(t), 200)}
}

func unixMilli(ms int64, zero bool) int64 {
	if zero {
		return 0
	}
	return ms
}

// filter is a task table query.
type filter struct {
	q, queue, tenant, key string
	status                dagq.Status
	offset, limit         int
}

// parseFilter reads a task table query, refusing values out of bounds.
func parseFilter(r *http.Request) (filter, error) {
	v := r.URL.Query()
	f := filter{q: v.Get("q"), queue: v.Get("queue"), tenant: v.Get("tenant"), key: v.Get("key"), limit: 100}
	for _, s := range []string{f.q, f.queue, f.tenant, f.key, v.Get("status")} {
		if len(s) > maxQuery {
			return f, errors.New("a query value is longer than 200 bytes")
		}
	}
	if s := v.Get("status"); s != "" {
		for st := dagq.Blocked; st <= dagq.Killed; st++ {
			if st.String() == s {
				f.status = st
			}
		}
		if f.status == 0 {
			return f, errors.New("unknown status " + strconv.Quote(s))
		}
	}
	var err error
	if f.offset, err = intParam(v.Get("offset"), 0, maxOffset, 0); err != nil {
		return f, errors.New("offset: " + err.Error())
	}
	if f.limit, err = intParam(v.Get("limit"), 1, maxLimit, 100); err != nil {
		return f, errors.New("limit: " + err.Error())
	}
	return f, nil
}

// intParam parses s as an integer in [lo, hi]; def when s is empty.
func intParam(s string, lo, hi, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errors.New("want an integer from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi))
	}
	return n, nil
}

// all reports whether f matches every task.
func (f *filter) all() bool {
	return f.status == 0 && f.q == "" && f.queue == "" && f.tenant == "" && f.key == ""
}

func (f *filter) match(t *dagq.TaskInfo) bool {
	return (f.status == 0 || t.Status == f.status) && (f.queue == "" || t.Queue == f.queue) &&
		(f.tenant == "" || t.Tenant == f.tenant) && (f.key == "" || t.Key == f.key) &&
		(f.q == "" || strings.Contains(strings.ToLower(name(t)), strings.ToLower(f.q)))
}

// serveTasks answers a task table query: {total, matched, tasks}. A
// page of every task reads those tasks only; a search scans the run in
// chunks, the scheduler's lock taken for one chunk at a time.
func (d *Dashboard) serveTasks(rw http.ResponseWriter, r *http.Request) {
	w, err := d.watchOf(r)
	if err != nil {
		jsonError(rw, http.StatusNotFound, err.Error())
		return
	}
	f, err := parseFilter(r)
	if err != nil {
		jsonError(rw, http.StatusBadRequest, err.Error())
		return
	}
	out := struct {
		Total   int   `json:"total"`
		Matched int   `json:"matched"`
		Tasks   []row `json:"tasks"`
	}{Total: w.s.Stats().Submitted, Tasks: []row{}}
	if f.all() {
		for _, t := range w.s.TaskRange(dagq.TaskID(f.offset+1), f.limit) {
			out.Tasks = append(out.Tasks, rowOf(&t))
		}
		out.Matched = out.Total
		writeJSON(rw, out)
		return
	}
	for first := dagq.TaskID(1); ; first += scanChunk {
		chunk := w.s.TaskRange(first, scanChunk)
		for i := range chunk {
			if t := &chunk[i]; f.match(t) {
				if out.Matched >= f.offset && len(out.Tasks) < f.limit {
					out.Tasks = append(out.Tasks, rowOf(t))
				}
				out.Matched++
			}
		}
		if len(chunk) < scanChunk {
			break
		}
	}
	writeJSON(rw, out)
}

// related is a dependency or dependent on a task page.
type related struct {
	ID     dagq.TaskID `json:"id"`
	Name   string      `json:"name"`
	Status string      `json:"status"`
}

// page is a task's page.
type page struct {
	row
	Backend     string      `json:"backend"`
	Weight      number      `json:"weight"`
	Priority    int         `json:"priority"`
	Cost        number      `json:"cost"`
	Trigger     string      `json:"trigger"`
	Cached      bool        `json:"cached"`
	Devices     []string    `json:"devices"`
	Reason      string      `json:"reason"`
	Error       string      `json:"error"`
	Culprit     dagq.TaskID `json:"culprit,omitempty"` // the task a kill's reason names
	Times       [6]int64    `json:"times"`             // submitted, ready, targeted, dispatched, started, finished
	Deps        []related   `json:"deps"`
	Dependents  []related   `json:"dependents"`
	NDependents int         `json:"ndependents"`
	Kills       int         `json:"kills"` // tasks a cancel would kill (this one included), up to maxKills
	Log         string      `json:"log,omitempty"`
}

// culprit finds the task a kill's reason names: `... "name" (id 7) failed`.
var culprit = regexp.MustCompile(`\(id (\d+)\)`)

// serveTask answers a task's page: ?id=N.
func (d *Dashboard) serveTask(rw http.ResponseWriter, r *http.Request) {
	w, t, ok := d.taskOf(rw, r)
	if !ok {
		return
	}
	p := page{row: rowOf(&t), Backend: t.Backend, Weight: number(t.Weight), Priority: t.Priority, Cost: number(t.Cost),
		Trigger: t.Trigger.String(), Cached: t.Cached, Devices: t.Devices, Reason: t.Reason,
		Deps: []related{}, Dependents: []related{}}
	if p.Devices == nil {
		p.Devices = []string{}
	}
	if t.Err != nil {
		p.Error = t.Err.Error()
	}
	if m := culprit.FindStringSubmatch(t.Reason); m != nil {
		id, _ := strconv.ParseUint(m[1], 10, 64) // digits only, by the pattern
		p.Culprit = dagq.TaskID(id)
	}
	for i, at := range [...]struct {
		zero bool
		ms   int64
	}{
		{t.Submitted.IsZero(), t.Submitted.UnixMilli()}, {t.Ready.IsZero(), t.Ready.UnixMilli()},
		{t.Targeted.IsZero(), t.Targeted.UnixMilli()}, {t.Dispatched.IsZero(), t.Dispatched.UnixMilli()},
		{t.Started.IsZero(), t.Started.UnixMilli()}, {t.Finished.IsZero(), t.Finished.UnixMilli()},
	} {
		p.Times[i] = unixMilli(at.ms, at.zero)
	}
	p.Deps = relatives(w.s, t.Deps)
	deps := w.s.Dependents(t.ID)
	p.NDependents = len(deps)
	p.Dependents = relatives(w.s, deps)
	if !t.Status.Terminal() {
		p.Kills = countKills(w.s, t.ID)
	}
	if d.cfg.logs != nil {
		p.Log = readTail(d.cfg.logs(t))
	}
	writeJSON(rw, p)
}

// taskOf reads ?id= and returns the run and the task, or answers with an
// error.
func (d *Dashboard) taskOf(rw http.ResponseWriter, r *http.Request) (*watch, dagq.TaskInfo, bool) {
	w, err := d.watchOf(r)
	if err != nil {
		jsonError(rw, http.StatusNotFound, err.Error())
		return nil, dagq.TaskInfo{}, false
	}
	id, err := strconv.ParseUint(r.URL.Query().Get("id"), 10, 64)
	if err != nil || id == 0 {
		jsonError(rw, http.StatusBadRequest, "id: want a task id (a positive integer)")
		return nil, dagq.TaskInfo{}, false
	}
	t, ok := w.s.Task(dagq.TaskID(id))
	if !ok {
		jsonError(rw, http.StatusNotFound, "no task with id "+strconv.FormatUint(id, 10))
		return nil, dagq.TaskInfo{}, false
	}
	return w, t, true
}

// relatives returns the first maxRelatives of ids with their names and
// statuses.
func relatives(s *dagq.Scheduler, ids []dagq.TaskID) []related {
	out := []related{}
	for _, id := range ids[:min(len(ids), maxRelatives)] {
		if t, ok := s.Task(id); ok {
			out = append(out, related{ID: id, Name: name(&t), Status: t.Status.String()})
		}
	}
	return out
}

// countKills counts the tasks that cancelling id would kill: id and its
// transitive dependents not yet terminal, up to maxKills.
func countKills(s *dagq.Scheduler, id dagq.TaskID) int {
	seen := map[dagq.TaskID]bool{id: true}
	todo := []dagq.TaskID{id}
	n := 0
	for len(todo) > 0 && n < maxKills {
		cur := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if t, ok := s.Task(cur); !ok || t.Status.Terminal() {
			continue
		}
		n++
		for _, dep := range s.Dependents(cur) {
			if !seen[dep] {
				seen[dep] = true
				todo = append(todo, dep)
			}
		}
	}
	return n
}

// readTail returns the last logTail bytes of the file at path, or "" if
// there is none.
func readTail(path string) string {
	if path == "" {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > logTail {
		if _, err := f.Seek(-logTail, io.SeekEnd); err != nil {
			return ""
		}
	}
	b, _ := io.ReadAll(io.LimitReader(f, logTail)) // a partial read still shows what was read
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// node is a task in the graph around a task.
type node struct {
	ID     dagq.TaskID `json:"id"`
	Name   string      `json:"name"`
	Status string      `json:"status"`
	Level  int         `json:"level"` // < 0 upstream, 0 the task, > 0 downstream
}

// serveGraph answers the graph around a task: ?id=N&depth=D (2 by
// default), its dependencies up to D levels up and its dependents up to D
// levels down, at most maxGraph nodes: {nodes, edges, truncated}.
func (d *Dashboard) serveGraph(rw http.ResponseWriter, r *http.Request) {
	w, t, ok := d.taskOf(rw, r)
	if !ok {
		return
	}
	depth, err := intParam(r.URL.Query().Get("depth"), 1, maxDepth, 2)
	if err != nil {
		jsonError(rw, http.StatusBadRequest, "depth: "+err.Error())
		return
	}
	g := graph{s: w.s, at: map[dagq.TaskID]int{}, edges: [][2]dagq.TaskID{}}
	g.add(t, 0)
	g.walk(t.ID, depth, -1)
	g.walk(t.ID, depth, 1)
	writeJSON(rw, struct {
		Nodes     []node           `json:"nodes"`
		Edges     [][2]dagq.TaskID `json:"edges"`
		Truncated bool             `json:"truncated"`
	}{g.nodes, g.edges, g.truncated})
}

// graph collects the nodes and edges around a task.
type graph struct {
	s         *dagq.Scheduler
	nodes     []node
	at        map[dagq.TaskID]int // index in nodes
	edges     [][2]dagq.TaskID
	truncated bool
}

func (g *graph) add(t dagq.TaskInfo, level int) bool {
	if _, ok := g.at[t.ID]; ok {
		return true
	}
	if len(g.nodes) >= maxGraph {
		g.truncated = true
		return false
	}
	g.at[t.ID] = len(g.nodes)
	g.nodes = append(g.nodes, node{ID: t.ID, Name: name(&t), Status: t.Status.String(), Level: level})
	return true
}

// walk adds the levels from id in direction dir (-1 dependencies, +1
// dependents), breadth first.
func (g *graph) walk(id dagq.TaskID, depth, dir int) {
	level := []dagq.TaskID{id}
	for l := 1; l <= depth && len(level) > 0; l++ {
		var next []dagq.TaskID
		for _, cur := range level {
			var near []dagq.TaskID
			if dir < 0 {
				t, _ := g.s.Task(cur)
				near = t.Deps
			} else {
				near = g.s.Dependents(cur)
			}
			for _, o := range near {
				t, ok := g.s.Task(o)
				_, had := g.at[o]
				if !ok || !g.add(t, dir*l) {
					continue
				}
				if dir < 0 {
					g.edges = append(g.edges, [2]dagq.TaskID{o, cur})
				} else {
					g.edges = append(g.edges, [2]dagq.TaskID{cur, o})
				}
				if !had {
					next = append(next, o)
				}
			}
		}
		level = next
	}
}

// number is a float that JSON shows even when infinite (as a string;
// JSON has no infinity).
type number float64

// MarshalJSON writes n as a JSON number, or "+Inf" / "-Inf".
func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return []byte(strconv.Quote(strconv.FormatFloat(f, 'g', -1, 64))), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// writeJSON answers with v as JSON.
func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(rw).Encode(v) // a failed write means the client left
}

// jsonError answers with status and {"error": msg}.
func jsonError(rw http.ResponseWriter, status int, msg string) {
	rw.Header().Set("Content-Type", "application/json")
	rw.Header().Set("X-Content-Type-Options", "nosniff")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(map[string]string{"error": msg}) // as in writeJSON
}
