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
// is not a mapping are reported, and fn is not called for them. Keys that
// start with "x-" are extensions, left to other tools: skipped.
func (d *decoder) fields(n *yaml.Node, what string, known []string, fn func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "write it as `key: value` lines", "%s must be a mapping, not %s", what, kindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch line, dup := seen[k.Value]; {
		case strings.HasPrefix(k.Value, "x-"):
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

// resolve returns n with its aliases replaced by the nodes they name and
// its merge keys (`<<: *base`, `<<: [*a, *b]`) expanded as YAML 1.1
// defines them: a mapping's own keys win over merged ones, and an earlier
// merged mapping over a later one. Merged pairs keep the positions where
// they were written, so problems in them point at the anchor's lines.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	return d.resolveSeen(n, map[*yaml.Node]*yaml.Node{})
}

func (d *decoder) resolveSeen(n *yaml.Node, done map[*yaml.Node]*yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if r, ok := done[n]; ok {
		return r
	}
	done[n] = n
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			n.Content[i] = d.resolveSeen(c, done)
		}
	case yaml.MappingNode:
		var own, merged []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], d.resolveSeen(n.Content[i+1], done)
			if k.Tag != "!!merge" {
				own = append(own, k, v)
				continue
			}
			sources := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				sources = v.Content
			}
			for _, src := range sources {
				if src.Kind != yaml.MappingNode {
					d.errorf(k, "merge a mapping, such as `<<: *base` with `base: &base {...}`", "merge key `<<` needs a mapping or a list of them, not %s", kindName(src))
					continue
				}
				merged = append(merged, src.Content...)
			}
		}
		have := map[string]bool{}
		for i := 0; i < len(own); i += 2 {
			have[own[i].Value] = true
		}
		for i := 0; i+1 < len(merged); i += 2 {
			if k := merged[i].Value; !have[k] {
				have[k] = true
				own = append(own, merged[i], merged[i+1])
			}
		}
		n.Content = own
	}
	return n
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

// env reads a job's environment: a mapping of names to values, or a list
// of "NAME=value" entries. The entries are returned in the file's order.
func (d *decoder) env(n *yaml.Node, what string) []string {
	var out []string
	add := func(at *yaml.Node, k, v string) {
		if k == "" || strings.ContainsAny(k, "= \t\n") {
			d.errorf(at, "write NAME: value, with a name of letters, digits and _", "%s: bad variable name %q", what, k)
			return
		}
		out = append(out, k+"="+v)
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			val := ""
			if v.Tag != "!!null" {
				val = d.str(v, what+": "+k.Value)
			}
			add(k, k.Value, val)
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			kv := d.str(item, what)
			k, v, ok := strings.Cut(kv, "=")
			if !ok && item.Kind == yaml.ScalarNode {
				d.errorf(item, "write NAME=value", "%s: %q has no '='", what, kv)
				continue
			}
			add(item, k, v)
		}
	default:
		d.errorf(n, "write a mapping such as {GOOS: linux}", "%s must be a mapping of names to values, not %s", what, kindName(n))
	}
	return out
}

// globs reads a list of file patterns (see cache.go for their syntax).
func (d *decoder) globs(n *yaml.Node, what string) []glob {
	pats, at := d.strings(n, what)
	out := make([]glob, 0, len(pats))
	for i, p := range pats {
		g, err := newGlob(p)
		if err != nil {
			if at[i].Kind == yaml.ScalarNode {
				d.errorf(at[i], "write a path relative to the job's dir, with *, ? and ** (any directories)", "%s: %v", what, err)
			}
			continue
		}
		out = append(out, g)
	}
	return out
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
