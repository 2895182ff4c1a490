package dagq_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestCommandOnAnyProcessBackend(t *testing.T) {
	t.Parallel()
	var seen []string
	fake := dagq.NewFake(dagq.FakeFunc(func(job *dagq.Job) dagq.FakeScript {
		seen = job.Cmd
		return dagq.FakeScript{Value: dagq.ExecResult{Output: "simulated"}}
	}))
	s := dagq.New(dagq.WithBackend("fake", fake))
	defer s.Shutdown(context.Background())
	argv := []string{"make", "all"}
	f := dagq.Command(s.DefaultQueue(), argv, dagq.OnBackend("fake"), dagq.Name("build"))
	argv[0] = "changed"
	require.NoError(t, s.Run(t.Context()))
	res, err := f.Get(t.Context())
	require.NoError(t, err)
	require.Equal(t, "simulated", res.Output)
	require.Equal(t, []string{"make", "all"}, seen, "Command copies argv")
	require.Equal(t, "fake", f.Info().Backend)
}

func TestCommandRefusals(t *testing.T) {
	t.Parallel()
	s := dagq.New()
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	var se *dagq.SubmitError
	_, err := dagq.Command(q, nil).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "empty argv")
	_, err = dagq.Command(q, []string{}).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "empty argv")
	_, err = dagq.Command(q, []string{"true"}, dagq.OnBackend("local")).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), `a command needs a backend that runs processes, but backend "local" runs functions: name one with OnBackend`)
}

// A command task that names no backend goes to the default backend when it
// runs commands (a GPU backend over Exec), else to the built-in exec; the
// same rule holds for a Spec with Cmd. On a GPU backend every process gets
// CUDA_VISIBLE_DEVICES: its devices, or empty on a CPU slot, never the
// parent's value.
func TestCommandDefaultBackend(t *testing.T) {
	t.Setenv("CUDA_VISIBLE_DEVICES", "7")
	show := []string{"sh", "-c", `printf '[%s]' "$CUDA_VISIBLE_DEVICES"`}
	for _, c := range []struct {
		name, list string
		inner      dagq.Backend
		backend    string // where the command tasks run
		gpu, cpu   string // what a task needing one GPU and one needing none see
	}{
		{"gpu over exec", "0,1,3", dagq.Exec(), "gpu", "[0]", "[]"},
		{"no devices", "none", dagq.Exec(), "gpu", "[]", "[]"},
		{"gpu over local", "0,1,3", dagq.Local(), "exec", "", "[7]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			gpu, err := dagq.NewGPU(c.list, dagq.WithInner(c.inner), dagq.WithCPUSlots(1))
			require.NoError(t, err)
			s := dagq.New(dagq.WithBackend("gpu", gpu), dagq.WithDefaultBackend("gpu"))
			defer s.Shutdown(context.Background())
			q := s.DefaultQueue()
			withGPU := dagq.Command(q, show, dagq.Needs(dagq.Resources{GPUs: 1}))
			noGPU := dagq.Command(q, show)
			require.NoError(t, s.Add(dagq.Spec{Name: "spec", Cmd: show}))
			err = s.Run(t.Context())

			got, gerr := withGPU.Get(t.Context())
			if c.gpu == "" {
				require.ErrorContains(t, gerr, "send the task to a GPU backend that wraps it")
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				require.NoError(t, gerr)
				require.Equal(t, c.gpu, got.Output)
				require.Equal(t, c.backend, withGPU.Info().Backend)
			}
			got, err = noGPU.Get(t.Context())
			require.NoError(t, err)
			require.Equal(t, c.cpu, got.Output)
			require.Equal(t, c.backend, noGPU.Info().Backend)
			spec, ok := s.Lookup("spec")
			require.True(t, ok)
			require.Equal(t, c.backend, spec.Backend)
			require.Equal(t, dagq.Succeeded, spec.Status)
		})
	}
}

// A dagq error that holds another says "dagq: " once, at the start.
func TestErrorPrefixOnce(t *testing.T) {
	t.Parallel()
	s := dagq.New()
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	failing := dagq.Command(q, []string{"sh", "-c", "exit 3"}, dagq.Name("fails"))
	refused := dagq.Command(q, nil, dagq.Name("refused"))
	err := s.Run(t.Context())
	require.Error(t, err)
	_, failed := failing.Get(t.Context())
	_, refusal := refused.Get(t.Context())
	for _, err := range []error{err, failed, refusal} {
		require.Equal(t, 1, strings.Count(err.Error(), "dagq: "), "%q", err)
		require.True(t, strings.HasPrefix(err.Error(), "dagq: "), "%q", err)
	}
	require.Contains(t, failed.Error(), `dagq: task "fails" (id 1) failed: command "sh -c exit 3" exited with code 3`)
}
