package dagq_test

import (
	"context"
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
	require.Contains(t, err.Error(), "runs commands")
	_, err = dagq.Command(q, []string{"true"}, dagq.OnBackend("local")).Get(t.Context())
	require.ErrorAs(t, err, &se)
	require.Contains(t, err.Error(), `a command needs a process backend such as "exec", but backend "local" runs functions`)
}
