package dagq

import (
	"strconv"
	"strings"
)

// DOT returns the scheduler's tasks so far as a Graphviz digraph: a box
// per task, filled with its status's colour, labelled with its name and
// status and, for a task that failed or was killed, its error or the
// reason it was killed; an edge leads from each dependency to its
// dependents. The tooltip holds the full text. It is a snapshot (see
// [Scheduler.Tasks]) and may be taken while the scheduler runs; for the
// graph of specs before a run, see [Plan]. Cost: O(tasks + edges).
func (s *Scheduler) DOT() string {
	tasks := s.Tasks()
	var b strings.Builder
	dotBegin(&b)
	b.WriteString("\tnode [style=filled];\n")
	for i := range tasks {
		t := &tasks[i]
		dotNode(&b, liveID(t.ID), "label", liveLabel(t, "\n", "\n"), "fillcolor", statusColors[t.Status],
			"tooltip", timelineTooltip(t))
	}
	liveEdges(tasks, func(from, to string) { dotEdge(&b, from, to) })
	b.WriteString("}\n")
	return b.String()
}

// Mermaid returns the scheduler's tasks so far as a Mermaid flowchart,
// with the same content as [Scheduler.DOT]: a node per task labelled with
// its name, status and (failed or killed) error or reason, styled by a
// class per status, and an edge from each dependency to its dependents.
func (s *Scheduler) Mermaid() string {
	tasks := s.Tasks()
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i := range tasks {
		t := &tasks[i]
		mermaidNode(&b, liveID(t.ID), liveLabel(t, "<br/>", ": "), t.Status.String())
	}
	liveEdges(tasks, func(from, to string) { mermaidEdge(&b, from, to) })
	for st := Blocked; st <= Killed; st++ {
		b.WriteString("\tclassDef " + st.String() + " fill:" + statusColors[st] + ",stroke:#374151\n")
	}
	return b.String()
}

// liveLabel is a task's label in live graphs: its name, sep, its status
// and, for a task that failed or was killed, whySep and why.
func liveLabel(t *TaskInfo, sep, whySep string) string {
	label := taskName(t) + sep + t.Status.String()
	if why := taskWhy(t); why != "" {
		label += whySep + truncate(why, 60)
	}
	return label
}

// taskWhy is the reason a task was killed or requeued, or its error if
// it failed.
func taskWhy(t *TaskInfo) string {
	if t.Status == Failed && t.Err != nil {
		return t.Err.Error()
	}
	return t.Reason
}

// liveID is a task's node identifier in live graphs.
func liveID(id TaskID) string { return "t" + strconv.FormatUint(uint64(id), 10) }

// liveEdges calls fn for every dependency edge among tasks.
func liveEdges(tasks []TaskInfo, fn func(from, to string)) {
	for i := range tasks {
		for _, d := range tasks[i].Deps {
			fn(liveID(d), liveID(tasks[i].ID))
		}
	}
}
