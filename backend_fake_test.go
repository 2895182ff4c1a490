package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestFakeMakespanSmallDAG(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := time.Hour
		fake := dagq.NewFake(
			dagq.FakeTask("a", dagq.FakeScript{Duration: h}),
			dagq.FakeTask("b", dagq.FakeScript{Duration: 2 * h}),
			dagq.FakeTask("c", dagq.FakeScript{Duration: h / 2}),
			dagq.FakeTask("d", dagq.FakeScript{Duration: h}),
			dagq.FakeTask("e", dagq.FakeScript{Duration: 4 * h}),
		)
		s := dagq.New(dagq.WithBackend("fake", fake), dagq.WithDefaultBackend("fake"))
		defer s.Shutdown(context.Background())
		_, err := s.Queue("two", 2)
		require.NoError(t, err)
		cmd := []string{"true"}
		require.NoError(t, s.Add(
			dagq.Spec{Name: "a", Queue: "two", Cmd: cmd},
			dagq.Spec{Name: "e", Queue: "two", Cmd: cmd},
			dagq.Spec{Name: "b", Queue: "two", Cmd: cmd, Deps: []string{"a"}},
			dagq.Spec{Name: "c", Queue: "two", Cmd: cmd, Deps: []string{"a"}},
			dagq.Spec{Name: "d", Queue: "two", Cmd: cmd, Deps: []string{"b", "c"}},
		))
		start := time.Now()
		require.NoError(t, s.Run(t.Context()))
		// Two slots: a and e at 0; b at 1h (e holds the other slot); c when b
		// ends at 3h; d when c ends at 3.5h, until 4.5h; e ends at 4h.
		require.Equal(t, 4*h+h/2, fake.Makespan())
		require.Equal(t, []string{"a", "e", "b", "c", "d"}, fake.Order())
		at := map[string]time.Duration{}
		for _, r := range fake.Runs() {
			at[r.Task] = r.Start.Sub(start)
			require.NoError(t, r.Err)
			require.Equal(t, 1, r.Attempt)
		}
		require.Equal(t, map[string]time.Duration{"a": 0, "e": 0, "b": h, "c": 3 * h, "d": 3*h + h/2}, at)
	})
}

func TestFakeThousandTaskDAG(t *testing.T) {
	began := time.Now()
	synctest.Test(t, func(t *testing.T) {
		fake := dagq.NewFake(dagq.FakeFunc(func(job *dagq.Job) dagq.FakeScript {
			return dagq.FakeScript{Duration: time.Duration(1+job.ID%3) * time.Hour}
		}))
		s := dagq.New(dagq.WithBackend("fake", fake), dagq.WithDefaultBackend("fake"))
		defer s.Shutdown(context.Background())
		_, err := s.Queue("farm", 50)
		require.NoError(t, err)
		// 20 layers of 50 tasks; each task depends on two of the layer before.
		specs := make([]dagq.Spec, 0, 1000)
		for l := range 20 {
			for i := range 50 {
				sp := dagq.Spec{Name: fmt.Sprintf("t%d-%d", l, i), Queue: "farm", Cmd: []string{"sim"}}
				if l > 0 {
					sp.Deps = []string{fmt.Sprintf("t%d-%d", l-1, i), fmt.Sprintf("t%d-%d", l-1, (i+1)%50)}
				}
				specs = append(specs, sp)
			}
		}
		require.NoError(t, s.Add(specs...))
		require.NoError(t, s.Run(t.Context()))
		runs := fake.Runs()
		require.Len(t, runs, 1000)
		require.GreaterOrEqual(t, fake.Makespan(), 20*time.Hour)
		require.LessOrEqual(t, fake.Makespan(), 60*time.Hour)
	})
	t.Logf("simulated 1,000 hour-long tasks in %v of real time", time.Since(began))
}

func TestFakeScripts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errBoom := errors.New("boom")
		fake := dagq.NewFake(
			dagq.FakeTask("value", dagq.FakeScript{Duration: time.Second, Value: 42}),
			dagq.FakeTask("fail", dagq.FakeScript{Err: errBoom}),
			dagq.FakeTask("panic", dagq.FakeScript{Panic: "kaboom"}),
			dagq.FakeTask("hang", dagq.FakeScript{Hang: true}),
			dagq.FakeTask("func", dagq.FakeScript{Duration: time.Minute, RunFunc: true}),
			dagq.FakeTask("wrong type", dagq.FakeScript{Value: "text"}),
			dagq.FakeFunc(func(job *dagq.Job) dagq.FakeScript {
				if job.Attempt < 3 {
					return dagq.FakeScript{Duration: time.Second, Err: errBoom}
				}
				return dagq.FakeScript{Value: job.Attempt}
			}),
		)
		s := dagq.New(dagq.WithBackend("fake", fake), dagq.WithDefaultBackend("fake"))
		defer s.Shutdown(context.Background())
		q := s.DefaultQueue()
		never := func(context.Context) (int, error) { return -1, nil }
		value := dagq.Submit(q, never, dagq.Name("value"))
		fail := dagq.Submit(q, never, dagq.Name("fail"))
		pan := dagq.Submit(q, never, dagq.Name("panic"))
		hang := dagq.Submit(q, never, dagq.Name("hang"), dagq.Timeout(time.Hour))
		fn := dagq.Submit(q, func(context.Context) (int, error) { return 7, nil }, dagq.Name("func"))
		wrong := dagq.Submit(q, never, dagq.Name("wrong type"))
		retried := dagq.Submit(q, never, dagq.Name("flaky"), dagq.Retry(2, time.Second))
		require.Error(t, s.Run(t.Context()))

		v, err := value.Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, 42, v)
		_, err = fail.Get(t.Context())
		require.ErrorIs(t, err, errBoom)
		_, err = pan.Get(t.Context())
		var pe *dagq.PanicError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, "kaboom", pe.Value)
		_, err = hang.Get(t.Context())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, time.Hour, hang.Info().Duration())
		v, err = fn.Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, 7, v)
		_, err = wrong.Get(t.Context())
		require.ErrorContains(t, err, "returned a string, its future wants a int")
		v, err = retried.Get(t.Context())
		require.NoError(t, err)
		require.Equal(t, 3, v)

		var flaky []dagq.FakeRun
		for _, r := range fake.Runs() {
			if r.Task == "flaky" {
				flaky = append(flaky, r)
			}
			if r.Task == "panic" {
				require.ErrorAs(t, r.Err, &pe)
			}
		}
		require.Len(t, flaky, 3)
		require.ErrorIs(t, flaky[0].Err, errBoom)
		require.NoError(t, flaky[2].Err)
		require.Equal(t, 3, flaky[2].Attempt)
	})
}

func TestFakeEmpty(t *testing.T) {
	t.Parallel()
	fake := dagq.NewFake()
	require.Zero(t, fake.Makespan())
	require.Empty(t, fake.Runs())
	v, err := fake.Run(t.Context(), &dagq.Job{Name: "x"})
	require.NoError(t, err)
	require.Nil(t, v)
	require.Equal(t, []string{"x"}, fake.Order())
	require.Equal(t, `FakeTask("a", {Duration:1s Value:<nil> Err:<nil> Panic:<nil> Hang:false RunFunc:false})`,
		dagq.FakeTask("a", dagq.FakeScript{Duration: time.Second}).String())
	require.Equal(t, "FakeFunc(...)", dagq.FakeFunc(nil).String())
	require.Contains(t, dagq.FakeDefault(dagq.FakeScript{Hang: true}).String(), "Hang:true")
}

// Several backends in one run: half the specs simulated, half local.
func TestSeveralBackends(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake := dagq.NewFake(dagq.FakeDefault(dagq.FakeScript{Duration: time.Minute}))
		s := dagq.New(dagq.WithBackend("fake", fake))
		defer s.Shutdown(context.Background())
		ran := make(chan string, 10)
		var specs []dagq.Spec
		for i := range 10 {
			sp := dagq.Spec{Name: fmt.Sprint("job-", i)}
			if i%2 == 0 {
				sp.Backend, sp.Cmd = "fake", []string{"remote-thing"}
			} else {
				sp.Run = func(context.Context) error { ran <- sp.Name; return nil }
			}
			if i > 0 {
				sp.Deps = []string{fmt.Sprint("job-", i-1)}
			}
			specs = append(specs, sp)
		}
		require.NoError(t, s.Add(specs...))
		require.NoError(t, s.Run(t.Context()))
		close(ran)
		var local []string
		for name := range ran {
			local = append(local, name)
		}
		require.Equal(t, []string{"job-1", "job-3", "job-5", "job-7", "job-9"}, local)
		require.Equal(t, []string{"job-0", "job-2", "job-4", "job-6", "job-8"}, fake.Order())
		for i := range 10 {
			info, ok := s.Lookup(fmt.Sprint("job-", i))
			require.True(t, ok)
			require.Equal(t, map[bool]string{true: "fake", false: "local"}[i%2 == 0], info.Backend)
		}
	})
}

func TestUnknownBackend(t *testing.T) {
	t.Parallel()
	s := dagq.New()
	defer s.Shutdown(context.Background())
	err := s.Add(dagq.Spec{Name: "a", Backend: "nowhere", Run: func(context.Context) error { return nil }})
	var ge *dagq.GraphError
	require.ErrorAs(t, err, &ge)
	require.Contains(t, ge.Error(), `unknown backend "nowhere"`)
	_, ok := s.Lookup("a")
	require.False(t, ok, "a rejected Add adds nothing")

	f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 1, nil }, dagq.OnBackend("nowhere"))
	_, err = f.Get(t.Context())
	var se *dagq.SubmitError
	require.ErrorAs(t, err, &se)
	require.Contains(t, se.Error(), `unknown backend "nowhere"`)
}
