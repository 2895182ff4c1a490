package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dagq/dagq"
)

// specsFrom decodes arbitrary bytes into specs. Each spec is a name
// selector, a dependency count (mod 4) and that many selectors. A selector
// names one of "t1".."t14" (so that duplicates, self-dependencies, unknown
// dependencies and cycles are frequent), the empty name (0 mod 16), or an
// arbitrary string of up to 5 bytes (15 mod 16: a length byte, then the
// bytes).
func specsFrom(data []byte) []dagq.Spec {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	name := func() string {
		switch b := next() % 16; b {
		case 0:
			return ""
		case 15:
			n := min(int(next()%6), len(data))
			s := string(data[:n])
			data = data[n:]
			return s
		default:
			return "t" + strconv.Itoa(int(b))
		}
	}
	var specs []dagq.Spec
	for len(data) > 0 && len(specs) < 64 {
		sp := dagq.Spec{Name: name(), Run: func(context.Context) error { return nil }}
		for range next() % 4 {
			sp.Deps = append(sp.Deps, name())
		}
		specs = append(specs, sp)
	}
	return specs
}

// planSeeds are inputs worth keeping in every run: a diamond, a cycle, a
// self-dependency, a duplicate, an unknown dependency, an empty name and
// names that need quoting.
var planSeeds = [][]byte{
	{1, 0, 2, 1, 1, 3, 1, 1, 4, 2, 2, 3},
	{1, 1, 2, 2, 1, 3, 3, 1, 1},
	{1, 1, 1},
	{1, 0, 1, 0},
	{1, 1, 9},
	{0, 0},
	{15, 3, '"', '\n', '>', 1, 1, 15, 3, '"', '\n', '>'},
	{5, 1, 6, 6, 2, 7, 8, 7, 1, 5, 8, 0, 1, 0},
}

// planProblem returns what an independent check finds wrong with specs
// before cycles: "" if nothing.
func planProblem(specs []dagq.Spec) string {
	names := map[string]bool{}
	for _, sp := range specs {
		if sp.Name == "" {
			return "empty name"
		}
		if names[sp.Name] {
			return "duplicate"
		}
		names[sp.Name] = true
	}
	for _, sp := range specs {
		for _, d := range sp.Deps {
			if d == sp.Name || !names[d] {
				return "bad dependency"
			}
		}
	}
	return ""
}

// smallestOrder returns the topological order that takes, at each step,
// the first spec (in input order) whose dependencies are all placed, and
// false if a cycle leaves some unplaced.
func smallestOrder(specs []dagq.Spec) ([]string, bool) {
	placed := map[string]bool{}
	var order []string
	for len(order) < len(specs) {
		i := slices.IndexFunc(specs, func(sp dagq.Spec) bool {
			return !placed[sp.Name] && !slices.ContainsFunc(sp.Deps, func(d string) bool { return !placed[d] })
		})
		if i < 0 {
			return nil, false
		}
		placed[specs[i].Name] = true
		order = append(order, specs[i].Name)
	}
	return order, true
}

// checkCycle checks that path is a cycle of specs: each name depends on
// the next, the last is the first, and no name repeats before that.
func checkCycle(specs []dagq.Spec, path []string) error {
	deps := map[string][]string{}
	for _, sp := range specs {
		deps[sp.Name] = sp.Deps
	}
	if len(path) < 3 || path[0] != path[len(path)-1] {
		return fmt.Errorf("not a closed path: %q", path)
	}
	for i := range len(path) - 1 {
		if !slices.Contains(deps[path[i]], path[i+1]) {
			return fmt.Errorf("%q does not depend on %q in %q", path[i], path[i+1], path)
		}
		if slices.Contains(path[:i], path[i]) {
			return fmt.Errorf("%q repeats in %q", path[i], path)
		}
	}
	return nil
}

// checkPlan checks Plan's verdict on specs against the independent checks.
func checkPlan(specs []dagq.Spec) error {
	g, err := dagq.Plan(specs)
	var ge *dagq.GraphError
	var ce *dagq.CycleError
	want, acyclic := smallestOrder(specs)
	switch problem := planProblem(specs); {
	case problem != "":
		if !errors.As(err, &ge) {
			return fmt.Errorf("%s: want a *GraphError, got %v", problem, err)
		}
	case !acyclic:
		if !errors.As(err, &ce) {
			return fmt.Errorf("cycle: want a *CycleError, got %v", err)
		}
		if err := checkCycle(specs, ce.Path); err != nil {
			return err
		}
		if !strings.Contains(err.Error(), strings.Join(ce.Path, " -> ")) {
			return fmt.Errorf("cycle error %q does not show its path", err)
		}
	case err != nil:
		return fmt.Errorf("valid graph refused: %v", err)
	default:
		if got := g.Order(); !slices.Equal(got, want) {
			return fmt.Errorf("Order %q, want %q", got, want)
		}
		for _, sp := range specs {
			if q := strconv.Quote(sp.Name); !strings.Contains(g.DOT(), q) {
				return fmt.Errorf("DOT lacks %s", q)
			}
		}
		_ = g.Mermaid()
	}
	if err != nil && !strings.HasPrefix(err.Error(), "dagq: ") {
		return fmt.Errorf("error %q lacks the dagq: prefix", err)
	}
	return nil
}

// FuzzPlan: on any list of specs Plan never panics, accepts exactly the
// graphs without empty or duplicate names, unknown or self dependencies
// and cycles, reports every cycle with a correct path, and orders
// accepted graphs topologically, ties in input order.
func FuzzPlan(f *testing.F) {
	for _, s := range planSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkPlan(specsFrom(data)); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzAddMatchesPlan: Scheduler.Add on an empty scheduler accepts exactly
// what Plan accepts, with the same error, adds nothing when it refuses,
// and numbers the tasks in Plan's order.
func FuzzAddMatchesPlan(f *testing.F) {
	for _, s := range planSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		specs := specsFrom(data)
		s := dagq.New()
		defer s.Shutdown(bg)
		addErr := s.Add(specs...)
		g, planErr := dagq.Plan(specs)
		if fmt.Sprint(addErr) != fmt.Sprint(planErr) {
			t.Fatalf("Add: %v; Plan: %v", addErr, planErr)
		}
		if addErr != nil {
			if n := s.Stats().Submitted; n != 0 {
				t.Fatalf("a refused Add added %d tasks", n)
			}
			return
		}
		for i, name := range g.Order() {
			info, ok := s.Lookup(name)
			if !ok || info.ID != dagq.TaskID(i+1) {
				t.Fatalf("task %q: %+v, want ID %d", name, info, i+1)
			}
		}
	})
}
