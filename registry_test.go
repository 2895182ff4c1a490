package dagq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// jsonBackend runs portable jobs through a registry, as a worker process
// would: JSON in, JSON out. It refuses closures at submission.
type jsonBackend struct{ reg *Registry }

func (b jsonBackend) Run(ctx context.Context, j *Job) (any, error) {
	out, err := b.reg.Run(ctx, j.Handler, j.Args)
	if err != nil {
		return nil, err
	}
	return JSONResult(out), nil
}

func (jsonBackend) Admit(j *Job) error {
	if j.Handler == "" {
		return errors.New("not a portable task")
	}
	return nil
}
func (jsonBackend) Acquire(*Job) bool { return true }
func (jsonBackend) Release(*Job)      {}

type point struct{ X, Y int }

func newTestRegistry() (*Registry, *Handler[point, int], *Handler[int, string], *Handler[[]int, int]) {
	reg := NewRegistry()
	area := Handle(reg, "area", func(_ context.Context, p point) (int, error) { return p.X * p.Y, nil })
	show := Handle(reg, "show", func(_ context.Context, n int) (string, error) { return fmt.Sprint("n=", n), nil })
	sum := Handle(reg, "sum", func(_ context.Context, ns []int) (int, error) {
		t := 0
		for _, n := range ns {
			t += n
		}
		return t, nil
	})
	return reg, area, show, sum
}

func TestRegistryHandleAndRun(t *testing.T) {
	reg, area, _, _ := newTestRegistry()
	require.Equal(t, "area", area.Name())
	require.True(t, reg.Has("area"))
	require.False(t, reg.Has("nope"))
	require.Equal(t, []string{"area", "show", "sum"}, reg.Names())

	out, err := reg.Run(t.Context(), "area", json.RawMessage(`{"X":3,"Y":4}`))
	require.NoError(t, err)
	require.JSONEq(t, `12`, string(out))

	_, err = reg.Run(t.Context(), "nope", nil)
	require.ErrorContains(t, err, `no handler registered under "nope"`)
	_, err = reg.Run(t.Context(), "area", json.RawMessage(`"x"`))
	require.ErrorContains(t, err, `handler "area": decoding arguments`)

	require.PanicsWithValue(t, `dagq: Handle: handler "area" is already registered`, func() {
		Handle(reg, "area", func(context.Context, int) (int, error) { return 0, nil })
	})
	require.Panics(t, func() { Handle[int, int](reg, "", nil) })
}

func TestRegistryRunRecoversPanics(t *testing.T) {
	reg := NewRegistry()
	Handle(reg, "boom", func(context.Context, int) (int, error) { panic("kaboom") })
	_, err := reg.Run(t.Context(), "boom", json.RawMessage(`1`))
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "kaboom", pe.Value)
}

// runPipeline submits the same portable pipeline to q and returns its
// final values.
func runPipeline(t *testing.T, s *Scheduler, q *Queue, area *Handler[point, int], show *Handler[int, string], sum *Handler[[]int, int], opts ...TaskOption) (string, int) {
	a := Call(q, area, point{2, 3}, opts...)
	b := Call(q, area, point{4, 5}, opts...)
	c := CallThen(q, show, a, opts...)
	d := CallJoin(q, sum, []*Future[int]{a, b}, opts...)
	require.NoError(t, s.Run(t.Context()))
	cv, err := c.Get(t.Context())
	require.NoError(t, err)
	dv, err := d.Get(t.Context())
	require.NoError(t, err)
	return cv, dv
}

func TestCallRunsLocallyAndThroughJSON(t *testing.T) {
	reg, area, show, sum := newTestRegistry()

	local := New()
	c, d := runPipeline(t, local, local.DefaultQueue(), area, show, sum)
	require.Equal(t, "n=6", c)
	require.Equal(t, 26, d)

	remote := New(WithBackend("json", jsonBackend{reg}))
	c, d = runPipeline(t, remote, remote.DefaultQueue(), area, show, sum, OnBackend("json"))
	require.Equal(t, "n=6", c)
	require.Equal(t, 26, d)
	require.NoError(t, remote.Shutdown(t.Context()))
	require.NoError(t, local.Shutdown(t.Context()))
}

func TestCallRefusals(t *testing.T) {
	reg := NewRegistry()
	anyH := Handle(reg, "any", func(_ context.Context, v any) (any, error) { return v, nil })
	s := New(WithBackend("json", jsonBackend{reg}))
	q := s.DefaultQueue()

	bad := Call(q, anyH, any(make(chan int)))
	var se *SubmitError
	require.ErrorAs(t, bad.Info().Err, &se)
	require.ErrorContains(t, se, `encoding the arguments of handler "any"`)

	closure := Submit(q, func(context.Context) (int, error) { return 1, nil }, OnBackend("json"))
	require.ErrorAs(t, closure.Info().Err, &se)
	require.ErrorContains(t, se, `backend "json": not a portable task`)

	var nilH *Handler[int, int]
	require.ErrorContains(t, Call(q, nilH, 1).Info().Err, "nil handler")
	require.Error(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
}

func TestJSONResultThatDoesNotDecodeFailsTheTask(t *testing.T) {
	reg := NewRegistry()
	text := Handle(reg, "text", func(context.Context, int) (string, error) { return "not a number", nil })
	asInt := &Handler[int, int]{name: text.Name(), fn: func(context.Context, int) (int, error) { return 0, nil }}
	s := New(WithBackend("json", jsonBackend{reg}))
	f := Call(s.DefaultQueue(), asInt, 1, OnBackend("json"))
	require.Error(t, s.Run(t.Context()))
	_, err := f.Get(t.Context())
	require.ErrorContains(t, err, "decoding its JSON result into int")
	require.NoError(t, s.Shutdown(t.Context()))
}
