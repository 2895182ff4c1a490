package bench

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Floor is the practical floor of a DAG executor: atomic in-degree
// counters, GOMAXPROCS workers and a channel as the ready queue, with no
// features at all (no priorities, queues, cancellation or cycle checks).
type Floor struct {
	body  func(int)
	succ  []int32 // successors of task i: succ[start[i]:start[i+1]]
	start []int32
	indeg []int32 // in-degrees, copied into pending for each run
	pend  []atomic.Int32
}

// NewFloor builds the executor's graph (the "construction" a prebuilt run
// leaves out of its timing).
func NewFloor(g *Graph, body func(int)) *Floor {
	f := &Floor{body: body, start: make([]int32, g.N+1), indeg: make([]int32, g.N), pend: make([]atomic.Int32, g.N)}
	for i, deps := range g.Deps {
		f.indeg[i] = int32(len(deps))
		for _, d := range deps {
			f.start[d+1]++
		}
	}
	for i := 1; i <= g.N; i++ {
		f.start[i] += f.start[i-1]
	}
	f.succ = make([]int32, f.start[g.N])
	fill := append([]int32(nil), f.start[:g.N]...)
	for i, deps := range g.Deps {
		for _, d := range deps {
			f.succ[fill[d]] = int32(i)
			fill[d]++
		}
	}
	return f
}

// Run executes every task once, each after its dependencies.
func (f *Floor) Run() {
	n := len(f.indeg)
	ready := make(chan int32, n)
	for i, d := range f.indeg {
		f.pend[i].Store(d)
		if d == 0 {
			ready <- int32(i)
		}
	}
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range ready {
				f.body(int(i))
				for _, s := range f.succ[f.start[i]:f.start[i+1]] {
					if f.pend[s].Add(-1) == 0 {
						ready <- s
					}
				}
				if left.Add(-1) == 0 {
					close(ready)
				}
			}
		})
	}
	wg.Wait()
}
