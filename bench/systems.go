package bench

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	flow "github.com/Azure/go-workflow"
	"github.com/alitto/pond/v2"
	"github.com/heimdalr/dag"
	gotaskflow "github.com/noneback/go-taskflow"
	"github.com/panjf2000/ants/v2"
	"github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/dagq/dagq"
)

// System is one way of running a graph. Prepare does what should stay out
// of the timing (nothing, for most systems) and returns the timed run.
type System struct {
	Name        string
	Independent bool // runs only graphs without dependencies
	MaxN        int  // largest graph it is measured on (0 = no cap): super-linear peers
	// (go-workflow's run time grows about as n³ on a chain: 80 ms at 100
	// tasks, 840 ms at 200; heimdalr/dag's about as n²: 0.45 s at 1,000,
	// 3.3 s at 3,000).
	Prepare func(g *Graph, body func(int)) func() error
}

// Supports reports whether s is measured on g.
func (s System) Supports(g *Graph) bool {
	if s.Independent && g.Edges() > 0 {
		return false
	}
	return s.MaxN == 0 || g.N <= s.MaxN
}

// Systems are the systems compared. More dagq policies are added by
// Policies.
var Systems = []System{
	{Name: "floor-prebuilt", Prepare: func(g *Graph, body func(int)) func() error {
		f := NewFloor(g, body)
		return func() error { f.Run(); return nil }
	}},
	{Name: "floor", Prepare: func(g *Graph, body func(int)) func() error {
		return func() error { NewFloor(g, body).Run(); return nil }
	}},
	{Name: "errgroup", Independent: true, Prepare: func(g *Graph, body func(int)) func() error {
		return func() error {
			var eg errgroup.Group
			eg.SetLimit(runtime.GOMAXPROCS(0))
			for i := range g.N {
				eg.Go(func() error { body(i); return nil })
			}
			return eg.Wait()
		}
	}},
	{Name: "pond", Independent: true, Prepare: func(g *Graph, body func(int)) func() error {
		return func() error {
			p := pond.NewPool(runtime.GOMAXPROCS(0))
			for i := range g.N {
				p.Submit(func() { body(i) })
			}
			p.StopAndWait()
			return nil
		}
	}},
	{Name: "conc", Independent: true, Prepare: func(g *Graph, body func(int)) func() error {
		return func() error {
			p := pool.New().WithMaxGoroutines(runtime.GOMAXPROCS(0))
			for i := range g.N {
				p.Go(func() { body(i) })
			}
			p.Wait()
			return nil
		}
	}},
	{Name: "ants", Independent: true, Prepare: func(g *Graph, body func(int)) func() error {
		return func() error {
			p, err := ants.NewPool(runtime.GOMAXPROCS(0))
			if err != nil {
				return err
			}
			defer p.Release()
			var wg sync.WaitGroup
			wg.Add(g.N)
			for i := range g.N {
				if err := p.Submit(func() { body(i); wg.Done() }); err != nil {
					return err
				}
			}
			wg.Wait()
			return nil
		}
	}},
	{Name: "go-taskflow", Prepare: func(g *Graph, body func(int)) func() error {
		return func() error {
			tf := gotaskflow.NewTaskFlow("bench")
			tasks := make([]*gotaskflow.Task, g.N)
			for i := range g.N {
				tasks[i] = tf.NewTask(strconv.Itoa(i), func() { body(i) })
				for _, d := range g.Deps[i] {
					tasks[d].Precede(tasks[i])
				}
			}
			gotaskflow.NewExecutor(uint(runtime.GOMAXPROCS(0))).Run(tf).Wait()
			return nil
		}
	}},
	{Name: "go-workflow", MaxN: 100, Prepare: func(g *Graph, body func(int)) func() error {
		return func() error {
			// The width is bounded here, not with Workflow.MaxConcurrency:
			// v0.1.13 returns a step's lease after signalling its end, so the
			// loop can find the bucket full, wait, and never be woken again
			// (seen as a 9-minute hang on a 2-core machine).
			slots := make(chan struct{}, runtime.GOMAXPROCS(0))
			w := &flow.Workflow{}
			steps := make([]flow.Steper, g.N)
			for i := range g.N {
				steps[i] = flow.Func(strconv.Itoa(i), func(context.Context) error {
					slots <- struct{}{}
					body(i)
					<-slots
					return nil
				})
				ups := make([]flow.Steper, len(g.Deps[i]))
				for k, d := range g.Deps[i] {
					ups[k] = steps[d]
				}
				w.Add(flow.Step(steps[i]).DependsOn(ups...))
			}
			return w.Do(context.Background())
		}
	}},
	{Name: "heimdalr-dag", MaxN: 1_000, Prepare: func(g *Graph, body func(int)) func() error {
		return func() error {
			d := dag.NewDAG()
			if err := d.AddVertexByID("root", -1); err != nil {
				return err
			}
			for i := range g.N {
				id := strconv.Itoa(i)
				if err := d.AddVertexByID(id, i); err != nil {
					return err
				}
				from := []string{"root"}
				if len(g.Deps[i]) > 0 {
					from = from[:0]
					for _, dep := range g.Deps[i] {
						from = append(from, strconv.Itoa(int(dep)))
					}
				}
				for _, f := range from {
					if err := d.AddEdge(f, id); err != nil && !isDuplicateEdge(err) {
						return err
					}
				}
			}
			_, err := d.DescendantsFlow("root", nil, func(d *dag.DAG, id string, _ []dag.FlowResult) (any, error) {
				v, err := d.GetVertex(id)
				if err == nil && v.(int) >= 0 {
					body(v.(int))
				}
				return nil, err
			})
			return err
		}
	}},
}

func isDuplicateEdge(err error) bool {
	_, ok := err.(dag.EdgeDuplicateError)
	return ok
}

// Policies are the dagq policies measured, by name.
var Policies = []struct {
	Name   string
	Policy func() dagq.Policy
}{
	{"fifo", dagq.FIFO},
	{"byweight", dagq.ByWeight},
	{"latestfirst", dagq.LatestFirst},
	{"criticalpath", dagq.CriticalPath},
}

func init() {
	for _, p := range Policies {
		Systems = append(Systems, System{Name: "dagq-" + p.Name, Prepare: func(g *Graph, body func(int)) func() error {
			return func() error { return RunDagq(g, body, p.Policy()) }
		}})
	}
}

// RunDagq submits g to a new scheduler with policy p on its default queue
// (size GOMAXPROCS), runs it and shuts it down: Submit to Wait, graph
// construction and validation included.
func RunDagq(g *Graph, body func(int), p dagq.Policy) error {
	ctx := context.Background()
	s := dagq.New(dagq.WithPolicy(p))
	q := s.DefaultQueue()
	futs := make([]*dagq.Future[struct{}], g.N)
	deps := make([]dagq.Dep, 0, 8)
	for i := range g.N {
		deps = deps[:0]
		for _, d := range g.Deps[i] {
			deps = append(deps, futs[d])
		}
		fn := func(context.Context) (struct{}, error) { body(i); return struct{}{}, nil }
		if len(deps) == 0 {
			futs[i] = dagq.Submit(q, fn)
		} else {
			futs[i] = dagq.Submit(q, fn, dagq.After(deps...))
		}
	}
	if err := s.Run(ctx); err != nil {
		return err
	}
	return s.Shutdown(ctx)
}

// SystemByName returns the system called name.
func SystemByName(name string) (System, error) {
	for _, s := range Systems {
		if s.Name == name {
			return s, nil
		}
	}
	return System{}, fmt.Errorf("bench: unknown system %q", name)
}
