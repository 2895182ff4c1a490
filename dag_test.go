package dagq_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func noop(context.Context) error { return nil }

func specs(edges ...string) []dagq.Spec {
	var out []dagq.Spec
	for _, e := range edges {
		name, deps, _ := strings.Cut(e, ":")
		sp := dagq.Spec{Name: name, Run: noop}
		if deps != "" {
			sp.Deps = strings.Split(deps, ",")
		}
		out = append(out, sp)
	}
	return out
}

func TestPlanOrderAndRendering(t *testing.T) {
	g, err := dagq.Plan(specs("report:test-a,test-b", "build:fetch", "fetch", "test-a:build", "test-b:build,build"))
	require.NoError(t, err)
	require.Equal(t, []string{"fetch", "build", "test-a", "test-b", "report"}, g.Order())
	dot := g.DOT()
	require.Contains(t, dot, `"build" -> "test-b";`)
	require.Equal(t, 1, strings.Count(dot, `"build" -> "test-b"`), "duplicate deps draw one edge")
	require.True(t, strings.HasPrefix(dot, "digraph dagq {"))
	m := g.Mermaid()
	require.True(t, strings.HasPrefix(m, "flowchart LR\n"))
	require.Contains(t, m, `n0["fetch"]`)
	require.Contains(t, m, "n0 --> n1")
}

func TestPlanErrors(t *testing.T) {
	cases := []struct {
		name  string
		specs []dagq.Spec
		want  string
	}{
		{"empty name", specs("a", ""), `spec #1 has an empty name`},
		{"duplicate", specs("a", "b", "a"), `spec "a": duplicate name`},
		{"self", specs("a:a"), `spec "a": depends on itself`},
		{"unknown", specs("a:zz"), `spec "a": unknown dependency "zz"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dagq.Plan(tc.specs)
			var ge *dagq.GraphError
			require.ErrorAs(t, err, &ge)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestPlanCyclePath(t *testing.T) {
	_, err := dagq.Plan(specs("x", "a:b", "b:c", "c:a,x", "d:a"))
	var ce *dagq.CycleError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, []string{"a", "b", "c", "a"}, ce.Path)
	require.EqualError(t, err, "dagq: dependency cycle: a -> b -> c -> a")
}

func TestAddIsAllOrNothing(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	err := s.Add(specs("a", "b:a", "c:b,d", "d:c")...)
	var ce *dagq.CycleError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, 0, s.Stats().Submitted, "a rejected Add changes nothing")
	_, ok := s.Lookup("a")
	require.False(t, ok)

	bad := []dagq.Spec{{Name: "q", Queue: "nope", Run: noop}}
	require.ErrorContains(t, s.Add(bad...), `unknown queue "nope"`)
	bad = []dagq.Spec{{Name: "b", Backend: "nope", Run: noop}}
	require.ErrorContains(t, s.Add(bad...), `unknown backend "nope"`)
	bad = []dagq.Spec{{Name: "r"}}
	require.ErrorContains(t, s.Add(bad...), "neither Run nor Cmd")
	bad = []dagq.Spec{{Name: "c", Backend: "local", Cmd: []string{"true"}}}
	require.ErrorContains(t, s.Add(bad...), `backend "local" runs functions`)
	bad = []dagq.Spec{{Name: "u", Uses: map[string]int{"gpu-ram": 1}, Run: noop}}
	require.ErrorContains(t, s.Add(bad...), `unknown resource pool "gpu-ram"`)
	require.Equal(t, 0, s.Stats().Submitted)

	require.NoError(t, s.Add(specs("a", "b:a")...))
	err = s.Add(specs("a")...)
	var ge *dagq.GraphError
	require.ErrorAs(t, err, &ge)
	require.ErrorContains(t, err, "already exists")
	require.NoError(t, s.Add(specs("c:a,b")...), "deps may name tasks added before")
	require.NoError(t, s.Run(bg))
	require.Equal(t, 3, s.Stats().Succeeded)
}

func TestAddRunsInDependencyOrder(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(bg)
	_, err := s.Queue("one", 1)
	require.NoError(t, err)
	var order []string
	step := func(name string) func(context.Context) error {
		return func(context.Context) error {
			order = append(order, name)
			if name == "bad" {
				return errors.New("bad step")
			}
			return nil
		}
	}
	sp := []dagq.Spec{
		{Name: "link", Deps: []string{"compile"}, Queue: "one", Run: step("link")},
		{Name: "compile", Queue: "one", Run: step("compile")},
		{Name: "bad", Queue: "one", Run: step("bad")},
		{Name: "after-bad", Deps: []string{"bad"}, Queue: "one", Run: step("after-bad")},
		{Name: "always", Deps: []string{"bad"}, Trigger: dagq.AllDone, Queue: "one", Run: step("always")},
	}
	require.NoError(t, s.Add(sp...))
	err = s.Run(bg)
	require.ErrorContains(t, err, "bad step")
	// IDs follow a topological order, ties in the order given: FIFO runs
	// compile (1), link (2), bad (3), then what became ready.
	require.Equal(t, []string{"compile", "link", "bad", "always"}, order)
	info, _ := s.Lookup("after-bad")
	require.Equal(t, dagq.Killed, info.Status)
	require.Contains(t, info.Reason, `dependency "bad"`)
}
