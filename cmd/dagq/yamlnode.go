package main

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// inputError is one problem in a pipeline file, at a position, with what
// to do about it.
type inputError struct {
	File      string
	Line, Col int
	Msg       string // what is wrong
	Fix       string // what to do
}

// Error returns e.g. "pipeline.yaml:12:7: unknown key "cmdd" in job "build"
// (fix: did you mean "cmd"?)", on one line.
func (e *inputError) Error() string {
	s := fmt.Sprintf("%s: %s", e.File, e.Msg)
	if e.Line > 0 {
		s = fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	if e.Fix != "" {
		s += " (fix: " + e.Fix + ")"
	}
	return s
}

// inputErrors is every problem found in a pipeline file, in file order.
type inputErrors []*inputError

// sorted returns the errors in file order.
func (es inputErrors) sorted() inputErrors {
	out := slices.Clone(es)
	slices.SortStableFunc(out, func(a, b *inputError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return out
}

func (es inputErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// decoder walks a YAML document and collects problems with their
// positions, so that one pass reports all of them.
type decoder struct {
	file string
	errs inputErrors
}

// errorf records a problem at node n.
func (d *decoder) errorf(n *yaml.Node, fix, format string, a ...any) {
	d.errs = append(d.errs, &inputError{File: d.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, a...), Fix: fix})
}

// fields calls fn for each key of the mapping n, which describes what
// (e.g. `job "build"`). Keys outside known, repeated keys and a node that
// is not a mapping are reported, and fn is not called for them.
func (d *decoder) fields(n *yaml.Node, what string, known []string, fn func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "write it as `key: value` lines", "%s must be a mapping, not %s", what, kindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch line, dup := seen[k.Value]; {
		case dup:
			d.errorf(k, "remove one of them", "key %q of %s repeats line %d", k.Value, what, line)
		case !slices.Contains(known, k.Value):
			d.errorf(k, suggest(k.Value, known), "unknown key %q in %s", k.Value, what)
		default:
			seen[k.Value] = k.Line
			fn(k.Value, v)
		}
	}
}

// suggest proposes the known word closest to word, or lists them all.
func suggest(word string, known []string) string {
	best, dist := "", 3
	for _, k := range known {
		if d := editDistance(word, k); d < dist && 2*d <= len(word) {
			best, dist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "known keys: " + strings.Join(known, ", ")
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

// str reads a string scalar.
func (d *decoder) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "write a single value", "%s must be a string, not %s", what, kindName(n))
		return ""
	}
	return n.Value
}

// integer reads an integer of at least lo.
func (d *decoder) integer(n *yaml.Node, what string, lo int) int {
	v, err := strconv.Atoi(d.str(n, what))
	if err != nil || v < lo {
		if n.Kind == yaml.ScalarNode {
			d.errorf(n, fmt.Sprintf("write a whole number ≥ %d", lo), "%s: %q is not a whole number ≥ %d", what, n.Value, lo)
		}
		return lo
	}
	return v
}

// number reads a float.
func (d *decoder) number(n *yaml.Node, what string) float64 {
	v, err := strconv.ParseFloat(d.str(n, what), 64)
	if err != nil && n.Kind == yaml.ScalarNode {
		d.errorf(n, "write a number such as 2 or 0.5", "%s: %q is not a number", what, n.Value)
	}
	return v
}

// duration reads a Go duration such as "90s" or "1h30m".
func (d *decoder) duration(n *yaml.Node, what string) time.Duration {
	v, err := time.ParseDuration(d.str(n, what))
	if (err != nil || v < 0) && n.Kind == yaml.ScalarNode {
		d.errorf(n, `write a duration such as "30s", "5m" or "1h30m"`, "%s: %q is not a duration", what, n.Value)
		return 0
	}
	return v
}

// strings reads a list of strings, or a single string as a list of one.
func (d *decoder) strings(n *yaml.Node, what string) ([]string, []*yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}, []*yaml.Node{n}
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "write a list such as [a, b]", "%s must be a list of strings, not %s", what, kindName(n))
		return nil, nil
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		out = append(out, d.str(item, what))
	}
	return out, n.Content
}
