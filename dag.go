package dagq

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dagq/dagq/internal/keyheap"
)

// Graph is a validated set of specs, for inspection before (or instead
// of) running them: see [Plan].
type Graph struct {
	specs []Spec
	order []int // a topological order of specs
}

// Plan validates specs as [Scheduler.Add] would, without a scheduler and
// without running anything, and returns the graph. Dependencies must name
// specs in the list. Queues, backends and pools are not checked (they
// belong to a scheduler). Errors are [*GraphError] and [*CycleError].
func Plan(specs []Spec) (*Graph, error) {
	g, err := validate(specs, func(string) bool { return false })
	if err != nil {
		return nil, err
	}
	return &Graph{specs: slices.Clone(specs), order: g.order}, nil
}

// Order returns the spec names in a topological order: every spec after
// its dependencies, ties in the order the specs were given.
func (g *Graph) Order() []string {
	out := make([]string, len(g.order))
	for i, j := range g.order {
		out[i] = g.specs[j].Name
	}
	return out
}

// DOT returns the graph in Graphviz's DOT language, an edge from each
// dependency to its dependent.
func (g *Graph) DOT() string {
	var b strings.Builder
	dotBegin(&b)
	for _, i := range g.order {
		sp := &g.specs[i]
		if sp.Queue != "" {
			dotNode(&b, sp.Name, "tooltip", "queue "+sp.Queue)
		} else {
			dotNode(&b, sp.Name)
		}
	}
	g.edges(func(from, to string) { dotEdge(&b, from, to) })
	b.WriteString("}\n")
	return b.String()
}

// Mermaid returns the graph as a Mermaid flowchart, an edge from each
// dependency to its dependent.
func (g *Graph) Mermaid() string {
	ids := make(map[string]string, len(g.specs))
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for k, i := range g.order {
		name := g.specs[i].Name
		ids[name] = "n" + strconv.Itoa(k)
		mermaidNode(&b, ids[name], name, "")
	}
	g.edges(func(from, to string) { mermaidEdge(&b, ids[from], ids[to]) })
	return b.String()
}

// edges calls fn for every dependency edge, once, in a stable order.
func (g *Graph) edges(fn func(from, to string)) {
	for _, i := range g.order {
		sp := &g.specs[i]
		seen := make(map[string]bool, len(sp.Deps))
		for _, d := range sp.Deps {
			if !seen[d] {
				seen[d] = true
				fn(d, sp.Name)
			}
		}
	}
}

// specGraph is the graph of a list of specs, as validate found it.
type specGraph struct {
	order []int   // a topological order of the specs
	start []int32 // the dependencies of spec i are dep[start[i]:start[i+1]]
	dep   []int32 // each: the index of a spec, or -(k+1) for Deps[k], a task outside the specs
}

// validate checks names and dependencies and returns the specs' graph,
// with a topological order (Kahn's algorithm, ties in input order) and
// each spec's dependencies without repeats. exists reports names outside
// specs that dependencies may refer to. It allocates a few slices for the
// whole list, none per spec.
func validate(specs []Spec, exists func(string) bool) (specGraph, error) {
	index := make(map[string]int, len(specs))
	total := 0
	for i := range specs {
		name := specs[i].Name
		if name == "" {
			return specGraph{}, &GraphError{Spec: "", Reason: fmt.Sprintf("spec #%d has an empty name", i)}
		}
		if _, dup := index[name]; dup {
			return specGraph{}, &GraphError{Spec: name, Reason: "duplicate name"}
		}
		index[name] = i
		total += len(specs[i].Deps)
	}
	g := specGraph{start: make([]int32, len(specs)+1), dep: make([]int32, 0, total)}
	indeg := make([]int, len(specs))
	outdeg := make([]int32, len(specs)+1)
	for i := range specs {
		sp := &specs[i]
		g.start[i] = int32(len(g.dep))
		var seen map[string]bool // for long lists; short ones are scanned
		if len(sp.Deps) > 16 {
			seen = make(map[string]bool, len(sp.Deps))
		}
		for k, d := range sp.Deps {
			j, ok := index[d]
			switch {
			case d == sp.Name:
				return specGraph{}, &GraphError{Spec: sp.Name, Reason: "depends on itself"}
			case seen != nil && seen[d], seen == nil && slices.Contains(sp.Deps[:k], d):
				continue
			case ok:
				indeg[i]++
				outdeg[j+1]++
				g.dep = append(g.dep, int32(j))
			case !exists(d):
				return specGraph{}, &GraphError{Spec: sp.Name, Reason: fmt.Sprintf("unknown dependency %q", d)}
			default:
				g.dep = append(g.dep, -int32(k)-1)
			}
			if seen != nil {
				seen[d] = true
			}
		}
	}
	g.start[len(specs)] = int32(len(g.dep))
	// The dependents of spec j are out[outdeg[j]:outdeg[j+1]] once outdeg
	// holds the prefix sums.
	for j := 1; j < len(outdeg); j++ {
		outdeg[j] += outdeg[j-1]
	}
	out := make([]int32, outdeg[len(specs)])
	fill := slices.Clone(outdeg[:len(specs)])
	for i := range specs {
		for _, j := range g.dep[g.start[i]:g.start[i+1]] {
			if j >= 0 {
				out[fill[j]] = int32(i)
				fill[j]++
			}
		}
	}
	g.order = make([]int, 0, len(specs))
	var ready keyheap.Heap[int] // lowest index first: a stable order
	for i, d := range indeg {
		if d == 0 {
			ready.Push(-float64(i), 0, i)
		}
	}
	for ready.Len() > 0 {
		i := ready.Pop()
		g.order = append(g.order, i)
		for _, j := range out[outdeg[i]:outdeg[i+1]] {
			if indeg[j]--; indeg[j] == 0 {
				ready.Push(-float64(j), 0, int(j))
			}
		}
	}
	if len(g.order) < len(specs) {
		return specGraph{}, &CycleError{Path: findCycle(specs, index, indeg)}
	}
	return g, nil
}

// findCycle returns a cycle among the specs left with dependencies after
// Kahn's algorithm, as names, each depending on the next, the first name
// repeated at the end.
func findCycle(specs []Spec, index map[string]int, indeg []int) []string {
	start := slices.IndexFunc(indeg, func(d int) bool { return d > 0 })
	// Every node left has a dependency that is also left: walk them until
	// a node repeats.
	pos := map[int]int{}
	var path []int
	for i := start; ; {
		if p, seen := pos[i]; seen {
			names := make([]string, 0, len(path)-p+1)
			for _, j := range path[p:] {
				names = append(names, specs[j].Name)
			}
			return append(names, specs[i].Name)
		}
		pos[i] = len(path)
		path = append(path, i)
		for _, d := range specs[i].Deps {
			if j, ok := index[d]; ok && indeg[j] > 0 {
				i = j
				break
			}
		}
	}
}
