package dagq

import (
	"fmt"
	"strconv"
	"strings"
)

// The helpers below print graphs for [Graph.DOT] and [Graph.Mermaid]
// (specs, before a run) and [Scheduler.DOT] and [Scheduler.Mermaid]
// (tasks, during or after one), so that both look alike.

// dotBegin starts a DOT digraph laid out left to right with boxed nodes.
func dotBegin(b *strings.Builder) {
	b.WriteString("digraph dagq {\n\trankdir=LR;\n\tnode [shape=box];\n")
}

// dotNode writes node id (any string: it is quoted) with attributes given
// as name, value pairs (values are quoted).
func dotNode(b *strings.Builder, id string, attrs ...string) {
	fmt.Fprintf(b, "\t%s", strconv.Quote(id))
	for i := 0; i+1 < len(attrs); i += 2 {
		sep := ", "
		if i == 0 {
			sep = " ["
		}
		fmt.Fprintf(b, "%s%s=%s", sep, attrs[i], strconv.Quote(attrs[i+1]))
	}
	if len(attrs) > 1 {
		b.WriteString("]")
	}
	b.WriteString(";\n")
}

// dotEdge writes an edge between two nodes written by dotNode.
func dotEdge(b *strings.Builder, from, to string) {
	fmt.Fprintf(b, "\t%s -> %s;\n", strconv.Quote(from), strconv.Quote(to))
}

// mermaidNode writes a flowchart node with a quoted label, and a class
// if class is not empty.
func mermaidNode(b *strings.Builder, id, label, class string) {
	fmt.Fprintf(b, "\t%s[%q]", id, mermaidText(label))
	if class != "" {
		b.WriteString(":::" + class)
	}
	b.WriteString("\n")
}

// mermaidEdge writes an edge between two flowchart nodes.
func mermaidEdge(b *strings.Builder, from, to string) {
	fmt.Fprintf(b, "\t%s --> %s\n", from, to)
}

// mermaidText escapes what Mermaid cannot show inside a quoted label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s)
}
