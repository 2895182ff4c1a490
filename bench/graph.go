// Package bench measures dagq against its baselines and against the Go
// libraries a user would pick instead, on the same graphs in the same
// binary. It is a module of its own, so that those libraries never enter
// dagq's dependencies.
package bench

import (
	"fmt"
	"math/rand/v2"
)

// Graph is a DAG of N tasks in topological order: Deps[i] lists the tasks
// (all < i) that task i depends on.
type Graph struct {
	Name string
	N    int
	Deps [][]int32
}

// Edges returns the number of dependency edges.
func (g *Graph) Edges() int {
	e := 0
	for _, d := range g.Deps {
		e += len(d)
	}
	return e
}

// Shape builds a graph of about n tasks.
type Shape struct {
	Name  string
	Build func(n int) *Graph
}

// Shapes are the graphs every system is measured on.
var Shapes = []Shape{
	{"independent", Independent},
	{"chain", Chain},
	{"layered", Layered},
	{"fanin", FanIn},
	{"fanout", FanOut},
	{"smqsched", Smqsched},
}

// ShapeByName returns the shape called name.
func ShapeByName(name string) (Shape, error) {
	for _, s := range Shapes {
		if s.Name == name {
			return s, nil
		}
	}
	return Shape{}, fmt.Errorf("bench: unknown shape %q", name)
}

// Independent is n tasks without dependencies.
func Independent(n int) *Graph {
	return &Graph{Name: "independent", N: n, Deps: make([][]int32, n)}
}

// Chain is n tasks, each depending on the one before.
func Chain(n int) *Graph {
	g := &Graph{Name: "chain", N: n, Deps: make([][]int32, n)}
	for i := 1; i < n; i++ {
		g.Deps[i] = []int32{int32(i - 1)}
	}
	return g
}

// Layered is layers of 100 tasks, each depending on 4 random tasks of
// the previous layer (fixed seed).
func Layered(n int) *Graph {
	const width, fan = 100, 4
	g := &Graph{Name: "layered", N: n, Deps: make([][]int32, n)}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := width; i < n; i++ {
		base := (i/width - 1) * width
		d := make([]int32, fan)
		for k := range d {
			d[k] = int32(base + rng.IntN(width))
		}
		g.Deps[i] = d
	}
	return g
}

// FanIn is a binary reduction tree over about n/2 leaves: every inner
// task depends on two tasks of the level below, the last task is the root.
func FanIn(n int) *Graph {
	leaves := max((n+1)/2, 1)
	g := &Graph{Name: "fanin", Deps: make([][]int32, 0, 2*leaves)}
	level := make([]int32, leaves)
	for i := range level {
		level[i] = int32(i)
		g.Deps = append(g.Deps, nil)
	}
	for len(level) > 1 {
		var next []int32
		for i := 0; i < len(level); i += 2 {
			d := level[i : i+1 : i+1]
			if i+1 < len(level) {
				d = []int32{level[i], level[i+1]}
			}
			next = append(next, int32(len(g.Deps)))
			g.Deps = append(g.Deps, d)
		}
		level = next
	}
	g.N = len(g.Deps)
	return g
}

// FanOut is one task, n−2 tasks depending on it, and one task depending
// on all of those (1 → N → 1).
func FanOut(n int) *Graph {
	n = max(n, 3)
	g := &Graph{Name: "fanout", N: n, Deps: make([][]int32, n)}
	last := make([]int32, 0, n-2)
	for i := 1; i < n-1; i++ {
		g.Deps[i] = []int32{0}
		last = append(last, int32(i))
	}
	g.Deps[n-1] = last
	return g
}

// Smqsched is smqsched's example program scaled to about n tasks: k tasks
// A[i], k tasks B[i] = f(A[i]), and k² tasks C[i·k+j] = g(B[i], B[j]).
func Smqsched(n int) *Graph {
	k := 1
	for (k+1)*(k+1)+2*(k+1) <= n {
		k++
	}
	g := &Graph{Name: "smqsched", N: 2*k + k*k, Deps: make([][]int32, 0, 2*k+k*k)}
	for i := range k {
		g.Deps = append(g.Deps, nil)                   // A[i] = 2i
		g.Deps = append(g.Deps, []int32{int32(2 * i)}) // B[i] = 2i+1
	}
	for i := range k {
		for j := range k {
			g.Deps = append(g.Deps, []int32{int32(2*i + 1), int32(2*j + 1)})
		}
	}
	return g
}
