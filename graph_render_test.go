package dagq

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDOTHelpersQuote(t *testing.T) {
	var b strings.Builder
	dotBegin(&b)
	dotNode(&b, `a "b"`)
	dotNode(&b, "c\nd", "label", `x "y"`, "fillcolor", "#fff")
	dotEdge(&b, `a "b"`, "c\nd")
	require.Equal(t, "digraph dagq {\n\trankdir=LR;\n\tnode [shape=box];\n"+
		"\t\"a \\\"b\\\"\";\n"+
		"\t\"c\\nd\" [label=\"x \\\"y\\\"\", fillcolor=\"#fff\"];\n"+
		"\t\"a \\\"b\\\"\" -> \"c\\nd\";\n", b.String())
}

func TestMermaidHelpersEscape(t *testing.T) {
	var b strings.Builder
	mermaidNode(&b, "n0", "say \"hi\"\nthere", "")
	mermaidNode(&b, "n1", "x", "failed")
	mermaidEdge(&b, "n0", "n1")
	require.Equal(t, "\tn0[\"say #quot;hi#quot; there\"]\n\tn1[\"x\"]:::failed\n\tn0 --> n1\n", b.String())
}
