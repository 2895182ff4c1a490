package dagq

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

func TestSchedulerDOT(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dot := sampleRun(t).DOT()
		require.True(t, strings.HasPrefix(dot, "digraph dagq {\n"))
		require.Contains(t, dot, `"t4" [label="compile b\nfailed\nsyntax error", fillcolor="#f87171"`)
		require.Contains(t, dot, `"t5" [label="link\nkilled\ndependency \"compile b\" (id 4) failed: syntax error", fillcolor="#9ca3af"`)
		require.Contains(t, dot, `"t1" [label="fetch a\nsucceeded", fillcolor="#4ade80"`)
		for _, e := range []string{`"t1" -> "t3"`, `"t3" -> "t5"`, `"t4" -> "t5"`, `"t5" -> "t6"`} {
			require.Contains(t, dot, e)
		}
		if _, err := exec.LookPath("dot"); err != nil {
			t.Log("Graphviz dot not installed: output not parsed")
			return
		}
		cmd := exec.Command("dot", "-Tsvg")
		cmd.Stdin = strings.NewReader(dot)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		require.Contains(t, string(out), "<svg")
	})
}

func TestSchedulerDOTWhileRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New()
		release := make(chan struct{})
		a := Submit(s.def, func(ctx context.Context) (int, error) { <-release; return 1, nil }, Name("a"))
		Then(s.def, a, func(context.Context, int) (int, error) { return 2, nil }, Name("b"))
		require.NoError(t, s.Start(context.Background()))
		synctest.Wait()
		dot := s.DOT()
		require.Contains(t, dot, `"t1" [label="a\nrunning", fillcolor="#60a5fa"`)
		require.Contains(t, dot, `"t2" [label="b\nblocked", fillcolor="#d1d5db"`)
		close(release)
		require.NoError(t, s.Wait(context.Background()))
		require.NoError(t, s.Shutdown(context.Background()))
		require.Contains(t, s.Mermaid(), "\tt2[\"b<br/>succeeded\"]:::succeeded\n")
	})
}

func TestSchedulerMermaid(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := sampleRun(t).Mermaid()
		require.True(t, strings.HasPrefix(m, "flowchart LR\n"))
		require.Contains(t, m, "\tt4[\"compile b<br/>failed: syntax error\"]:::failed\n")
		require.Contains(t, m, "\tt5[\"link<br/>killed: dependency #quot;compile b#quot; (id 4) failed: syntax error\"]:::killed\n")
		require.Contains(t, m, "\tt4 --> t5\n")
		require.Contains(t, m, "\tclassDef killed fill:#9ca3af,stroke:#374151\n")
	})
}
