package dagq

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// WriteTrace writes tasks (from [Scheduler.Tasks] or [Recorder.Tasks]) as
// a Chrome trace-event JSON file, which Perfetto (ui.perfetto.dev) and
// chrome://tracing open. Each queue is a process whose threads are its
// slots, and each task that ran is one complete event on the slot it
// occupied, named after the task and categorised by its status; tasks
// that hold devices are drawn on one thread per device of their backend
// instead. Arrows lead from each dependency to its dependents. Waiting
// (Ready → Started, or → Finished for a task killed while queued) shows as
// an async slice per task, and a counter per queue plots its queued and
// running tasks over time; tasks killed before running are instant events
// carrying the reason. Timestamps are microseconds since the earliest
// submission. A task still running is drawn up to the latest time in
// tasks. Only the last attempt of a retried task is shown (TaskInfo keeps
// no more). Cost: O(n log n) time and O(n) memory in the number of tasks.
func WriteTrace(w io.Writer, tasks []TaskInfo) error {
	bw := bufio.NewWriter(w)
	tw := &traceWriter{w: bw, enc: json.NewEncoder(bw)}
	tw.raw("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n")
	writeTraceEvents(tw, tasks)
	tw.raw("]}\n")
	if tw.err == nil {
		tw.err = bw.Flush()
	}
	if tw.err != nil {
		return fmt.Errorf("dagq: write trace: %w", tw.err)
	}
	return nil
}

// traceEvent is one entry of the trace-event format.
type traceEvent struct {
	Name  string   `json:"name"`
	Cat   string   `json:"cat,omitempty"`
	Ph    string   `json:"ph"`
	Ts    float64  `json:"ts"`
	Dur   *float64 `json:"dur,omitempty"`
	Pid   int      `json:"pid"`
	Tid   int      `json:"tid"`
	ID    string   `json:"id,omitempty"`
	Scope string   `json:"s,omitempty"`
	BP    string   `json:"bp,omitempty"`
	Args  any      `json:"args,omitempty"`
}

// taskArgs are the arguments of a task's events.
type taskArgs struct {
	ID       TaskID   `json:"id"`
	Queue    string   `json:"queue"`
	Backend  string   `json:"backend"`
	Status   string   `json:"status"`
	Attempts int      `json:"attempts"`
	WaitMS   *float64 `json:"wait_ms,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Error    string   `json:"error,omitempty"`
	Devices  []string `json:"devices,omitempty"`
}

// nameArgs name a process or thread; counterArgs are a queue's counter.
type (
	nameArgs struct {
		Name string `json:"name"`
	}
	sortArgs struct {
		SortIndex int `json:"sort_index"`
	}
	counterArgs struct {
		Queued  int `json:"queued"`
		Running int `json:"running"`
	}
)

// traceWriter writes events one by one, remembering the first error.
type traceWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

func (t *traceWriter) raw(s string) {
	if t.err == nil {
		_, t.err = t.w.WriteString(s)
	}
}

func (t *traceWriter) event(e traceEvent) {
	if t.n > 0 {
		t.raw(",")
	}
	t.n++
	if t.err == nil {
		t.err = t.enc.Encode(e)
	}
}

// traceClock converts task times to trace timestamps.
type traceClock struct{ t0, end time.Time }

func newTraceClock(tasks []TaskInfo) traceClock {
	var c traceClock
	for i := range tasks {
		t := &tasks[i]
		if !t.Submitted.IsZero() && (c.t0.IsZero() || t.Submitted.Before(c.t0)) {
			c.t0 = t.Submitted
		}
		for _, at := range [...]time.Time{t.Started, t.Finished} {
			if at.After(c.end) {
				c.end = at
			}
		}
	}
	return c
}

// us returns at in microseconds since t0.
func (c traceClock) us(at time.Time) float64 {
	return float64(at.Sub(c.t0).Nanoseconds()) / 1e3
}

// stop returns when t's run ended: Finished, or the latest time seen for
// a task still running.
func (c traceClock) stop(t *TaskInfo) time.Time {
	if t.Finished.IsZero() {
		return c.end
	}
	return t.Finished
}

// slot is the thread a task ran on: pid (a queue or a backend) and tid.
type slot struct{ pid, tid int }

// traceLayout assigns processes and threads.
type traceLayout struct {
	pids  map[string]int
	names []string   // process names by pid−1
	lanes [][]string // thread names by pid−1, tid−1
	ends  [][]time.Time
	devs  []map[string]int
}

func (l *traceLayout) pid(name string) int {
	if p, ok := l.pids[name]; ok {
		return p
	}
	l.names = append(l.names, name)
	l.lanes = append(l.lanes, nil)
	l.ends = append(l.ends, nil)
	l.devs = append(l.devs, map[string]int{})
	l.pids[name] = len(l.names)
	return len(l.names)
}

// place returns the slot of a task that started: the lowest lane of its
// queue free since the task started (tasks are placed in start order), or
// its first device's lane on its backend.
func (l *traceLayout) place(t *TaskInfo, clock traceClock) slot {
	if len(t.Devices) > 0 {
		p := l.pid("backend " + t.Backend)
		tid, ok := l.devs[p-1][t.Devices[0]]
		if !ok {
			l.lanes[p-1] = append(l.lanes[p-1], "device "+t.Devices[0])
			tid = len(l.lanes[p-1])
			l.devs[p-1][t.Devices[0]] = tid
		}
		return slot{p, tid}
	}
	p := l.pid("queue " + t.Queue)
	ends := l.ends[p-1]
	lane := slices.IndexFunc(ends, func(end time.Time) bool { return !end.After(t.Started) })
	if lane < 0 {
		lane = len(ends)
		l.ends[p-1] = append(ends, time.Time{})
		l.lanes[p-1] = append(l.lanes[p-1], "slot "+strconv.Itoa(lane+1))
	}
	l.ends[p-1][lane] = clock.stop(t)
	return slot{p, lane + 1}
}

func writeTraceEvents(tw *traceWriter, tasks []TaskInfo) {
	clock := newTraceClock(tasks)
	byID := make(map[TaskID]int, len(tasks))
	order := make([]int, 0, len(tasks))
	for i := range tasks {
		byID[tasks[i].ID] = i
		if !tasks[i].Started.IsZero() {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return tasks[a].Started.Compare(tasks[b].Started) })
	l := &traceLayout{pids: map[string]int{}}
	slots := make([]slot, len(tasks))
	for _, i := range order {
		slots[i] = l.place(&tasks[i], clock)
	}
	for i := range tasks {
		writeTaskEvents(tw, &tasks[i], slots[i], l, clock)
	}
	writeFlowEvents(tw, tasks, byID, slots, clock)
	writeCounterEvents(tw, tasks, l, clock)
	for p, name := range l.names {
		tw.event(traceEvent{Name: "process_name", Ph: "M", Pid: p + 1, Args: nameArgs{name}})
		tw.event(traceEvent{Name: "process_sort_index", Ph: "M", Pid: p + 1, Args: sortArgs{p}})
		for k, lane := range l.lanes[p] {
			tw.event(traceEvent{Name: "thread_name", Ph: "M", Pid: p + 1, Tid: k + 1, Args: nameArgs{lane}})
		}
	}
}

// writeTaskEvents writes the run, wait and kill events of one task.
func writeTaskEvents(tw *traceWriter, t *TaskInfo, at slot, l *traceLayout, clock traceClock) {
	name := taskName(t)
	args := &taskArgs{ID: t.ID, Queue: t.Queue, Backend: t.Backend, Status: t.Status.String(),
		Attempts: t.Attempts, Reason: t.Reason, Devices: t.Devices}
	if t.Err != nil {
		args.Error = t.Err.Error()
	}
	waitEnd := t.Started
	if t.Started.IsZero() {
		waitEnd = t.Finished
		at = slot{pid: l.pid("queue " + t.Queue)}
	} else {
		wait := float64(t.Wait().Microseconds()) / 1e3
		args.WaitMS = &wait
		dur := clock.us(clock.stop(t)) - clock.us(t.Started)
		tw.event(traceEvent{Name: name, Cat: t.Status.String(), Ph: "X", Ts: clock.us(t.Started), Dur: &dur, Pid: at.pid, Tid: at.tid, Args: args})
	}
	if !t.Ready.IsZero() && !waitEnd.IsZero() {
		id := strconv.FormatUint(uint64(t.ID), 10)
		tw.event(traceEvent{Name: name, Cat: "wait", Ph: "b", Ts: clock.us(t.Ready), Pid: at.pid, ID: id})
		tw.event(traceEvent{Name: name, Cat: "wait", Ph: "e", Ts: clock.us(waitEnd), Pid: at.pid, ID: id})
	}
	if t.Started.IsZero() && t.Status == Killed {
		tw.event(traceEvent{Name: "killed: " + name, Cat: "killed", Ph: "i", Scope: "p", Ts: clock.us(t.Finished), Pid: at.pid, Args: args})
	}
}

// writeFlowEvents writes an arrow from each dependency that ran to each
// of its dependents that ran.
func writeFlowEvents(tw *traceWriter, tasks []TaskInfo, byID map[TaskID]int, slots []slot, clock traceClock) {
	flow := 0
	for i := range tasks {
		t := &tasks[i]
		if t.Started.IsZero() {
			continue
		}
		for _, d := range t.Deps {
			j, ok := byID[d]
			if !ok || tasks[j].Started.IsZero() {
				continue
			}
			flow++
			id := strconv.Itoa(flow)
			from, to := slots[j], slots[i]
			tw.event(traceEvent{Name: "dependency", Cat: "dependency", Ph: "s", Ts: clock.us(tasks[j].Started), Pid: from.pid, Tid: from.tid, ID: id})
			tw.event(traceEvent{Name: "dependency", Cat: "dependency", Ph: "f", BP: "e", Ts: clock.us(t.Started), Pid: to.pid, Tid: to.tid, ID: id})
		}
	}
}

// writeCounterEvents writes, per queue, a counter of its queued and
// running tasks, one sample at each change.
func writeCounterEvents(tw *traceWriter, tasks []TaskInfo, l *traceLayout, clock traceClock) {
	type change struct {
		at              time.Time
		queued, running int
	}
	byQueue := map[string][]change{}
	var queues []string
	for i := range tasks {
		t := &tasks[i]
		if t.Ready.IsZero() {
			continue
		}
		if _, ok := byQueue[t.Queue]; !ok {
			queues = append(queues, t.Queue)
		}
		cs := append(byQueue[t.Queue], change{at: t.Ready, queued: 1})
		switch {
		case !t.Started.IsZero():
			cs = append(cs, change{at: t.Started, queued: -1, running: 1})
			if !t.Finished.IsZero() {
				cs = append(cs, change{at: t.Finished, running: -1})
			}
		case !t.Finished.IsZero():
			cs = append(cs, change{at: t.Finished, queued: -1})
		}
		byQueue[t.Queue] = cs
	}
	for _, q := range queues {
		cs := byQueue[q]
		slices.SortStableFunc(cs, func(a, b change) int { return a.at.Compare(b.at) })
		pid := l.pid("queue " + q)
		queued, running := 0, 0
		for k, c := range cs {
			queued += c.queued
			running += c.running
			if k+1 < len(cs) && cs[k+1].at.Equal(c.at) {
				continue
			}
			tw.event(traceEvent{Name: "tasks", Ph: "C", Ts: clock.us(c.at), Pid: pid, Args: counterArgs{queued, running}})
		}
	}
}

// taskName is how exports name a task: its name, or "#id".
func taskName(t *TaskInfo) string {
	if t.Name != "" {
		return t.Name
	}
	return "#" + strconv.FormatUint(uint64(t.ID), 10)
}
