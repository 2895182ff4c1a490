package dagq_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/dagq/dagq"
)

// layeredSpecs builds the layered graph of BenchmarkScheduler as specs:
// layers of 100, each spec depending on up to 4 of the layer before.
func layeredSpecs(n int) []dagq.Spec {
	const width = 100
	rng := rand.New(rand.NewPCG(7, 7))
	run := func(context.Context) error { return nil }
	specs := make([]dagq.Spec, 0, n)
	for i := 0; i < n; i += width {
		for k := range min(width, n-i) {
			sp := dagq.Spec{Name: "t" + strconv.Itoa(i+k), Run: run}
			if i > 0 {
				sp.Deps = make([]string, 0, 4)
				for range 4 {
					sp.Deps = append(sp.Deps, specs[i-width+rng.IntN(width)].Name)
				}
			}
			specs = append(specs, sp)
		}
	}
	return specs
}

// submitLayeredNamed submits the graph of layeredSpecs with Submit,
// After and Name, as a program that names its tasks does.
func submitLayeredNamed(q *dagq.Queue, n int) {
	const width = 100
	rng := rand.New(rand.NewPCG(7, 7))
	all := make([]*dagq.Future[int], 0, n)
	deps := make([]dagq.Dep, 0, 4) // After copies it
	for i := 0; i < n; i += width {
		for k := range min(width, n-i) {
			deps = deps[:0]
			if i > 0 {
				for range 4 {
					deps = append(deps, all[i-width+rng.IntN(width)])
				}
			}
			all = append(all, dagq.Submit(q, empty, dagq.Name("t"+strconv.Itoa(i+k)), dagq.After(deps...)))
		}
	}
}

// BenchmarkAdd compares the declarative path (Add of specs, then Run) with
// Submit + After on the same layered graph of 1e5 empty tasks. "build"
// is the caller's own part of "add": making the specs, names and
// dependency lists; add's allocs/task minus build's is what Add costs.
// "submit-named" gives the tasks the same names, as specs must have.
func BenchmarkAdd(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	b.Run("build", func(b *testing.B) {
		perTask(b, n, func() { _ = layeredSpecs(n) })
	})
	for _, c := range []struct {
		name  string
		build func(s *dagq.Scheduler) error
	}{
		{"add", func(s *dagq.Scheduler) error { return s.Add(layeredSpecs(n)...) }},
		{"submit-named", func(s *dagq.Scheduler) error { submitLayeredNamed(s.DefaultQueue(), n); return nil }},
		{"submit", func(s *dagq.Scheduler) error { shapes[2].submit(s.DefaultQueue(), n); return nil }},
	} {
		b.Run(c.name, func(b *testing.B) {
			perTask(b, n, func() {
				s := dagq.New()
				if err := c.build(s); err != nil {
					b.Fatal(err)
				}
				if err := s.Run(ctx); err != nil {
					b.Fatal(err)
				}
				_ = s.Shutdown(ctx)
			})
		})
	}
}
