package dagq_test

import (
	"fmt"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// offsets returns the first n release offsets of st's schedule.
func offsets(t *testing.T, st dagq.Strategy, rampup time.Duration, n int) []time.Duration {
	t.Helper()
	next, err := st.Releases(rampup)
	require.NoError(t, err)
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = next()
	}
	return out
}

func ms(vs ...float64) []time.Duration {
	out := make([]time.Duration, len(vs))
	for i, v := range vs {
		out[i] = time.Duration(math.Round(v * float64(time.Millisecond)))
	}
	return out
}

func TestStrategyStrings(t *testing.T) {
	for want, st := range map[string]dagq.Strategy{
		"synchronous":          dagq.Synchronous(),
		"concurrent@4":         dagq.Concurrent(4),
		"throughput@10":        dagq.Throughput(10),
		"throughput@unlimited": dagq.Throughput(0),
		"constant@10.00":       dagq.Constant(10, false),
		"poisson@5.00":         dagq.Poisson(5, true, 42),
	} {
		require.Equal(t, want, st.String())
	}
	require.Equal(t, 1, dagq.Synchronous().Limit())
	require.Equal(t, 4, dagq.Concurrent(4).Limit())
	require.Equal(t, 10, dagq.Throughput(10).Limit())
	require.Equal(t, 0, dagq.Throughput(0).Limit())
	require.Equal(t, 0, dagq.Constant(10, true).Limit())
	require.Equal(t, 0, dagq.Poisson(10, true, 1).Limit())
}

func TestStrategyReleaseOffsets(t *testing.T) {
	tests := []struct {
		name   string
		st     dagq.Strategy
		rampup time.Duration
		want   []time.Duration
	}{
		{"constant", dagq.Constant(10, false), 0, ms(0, 100, 200, 300, 400)},
		{"constant burst", dagq.Constant(4, true), 0, ms(0, 0, 0, 0, 250, 500, 750)},
		{"constant fractional burst", dagq.Constant(2.5, true), 0, ms(0, 0, 400, 800)},
		{"constant slow burst", dagq.Constant(0.5, true), 0, ms(0, 2000, 4000)},
		// Rate 10 ramped over 2s: n ≤ 10 at sqrt(0.4·n) s, then n/10 + 1 s.
		{"constant rampup", dagq.Constant(10, false), 2 * time.Second,
			ms(0, 1000*math.Sqrt(0.4), 1000*math.Sqrt(0.8), 1000*math.Sqrt(1.2), 1000*math.Sqrt(1.6), 1000*math.Sqrt(2),
				1000*math.Sqrt(2.4), 1000*math.Sqrt(2.8), 1000*math.Sqrt(3.2), 1000*math.Sqrt(3.6), 2000, 2100, 2200)},
		{"synchronous", dagq.Synchronous(), time.Second, ms(0, 0, 0)},
		{"concurrent", dagq.Concurrent(3), 0, ms(0, 0, 0, 0)},
		{"concurrent rampup", dagq.Concurrent(4), time.Second, ms(0, 250, 500, 750, 0, 0)},
		{"throughput", dagq.Throughput(0), time.Second, ms(0, 0, 0)},
		{"throughput rampup", dagq.Throughput(2), time.Second, ms(0, 500, 1000, 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, offsets(t, tt.st, tt.rampup, len(tt.want)))
		})
	}
}

func TestPoissonIsReproducibleWithMeanInterval(t *testing.T) {
	a := offsets(t, dagq.Poisson(5, false, 42), 0, 100)
	require.Equal(t, a, offsets(t, dagq.Poisson(5, false, 42), 0, 100))
	require.NotEqual(t, a, offsets(t, dagq.Poisson(5, false, 43), 0, 100))
	require.Zero(t, a[0], "the first release is at the start")

	const n, rate = 10_000, 50.0
	times := offsets(t, dagq.Poisson(rate, false, 42), 0, n+1)
	mean := times[n].Seconds() / n
	require.InDelta(t, 1/rate, mean, 0.1/rate, "mean inter-arrival %v", mean)
	for i := 1; i <= n; i++ {
		require.GreaterOrEqual(t, times[i], times[i-1])
	}

	burst := offsets(t, dagq.Poisson(3.7, true, 42), 0, 5)
	require.Equal(t, ms(0, 0, 0), burst[:3])
	require.Positive(t, burst[3])
}

func TestQueueRejectsBadStrategiesAndLimits(t *testing.T) {
	s := dagq.New()
	tests := []struct {
		opt  dagq.QueueOption
		want string
	}{
		{dagq.WithStrategy(dagq.Constant(0, false)), "Constant(0)"},
		{dagq.WithStrategy(dagq.Constant(-1, true)), "Constant(-1)"},
		{dagq.WithStrategy(dagq.Constant(math.NaN(), false)), "Constant(NaN)"},
		{dagq.WithStrategy(dagq.Poisson(math.Inf(1), false, 1)), "Poisson(+Inf)"},
		{dagq.WithStrategy(dagq.Poisson(0, false, 1)), "Poisson(0)"},
		{dagq.WithStrategy(dagq.Concurrent(0)), "Concurrent(0)"},
		{dagq.WithStrategy(dagq.Throughput(-1)), "Throughput(-1)"},
		{dagq.WithStrategy(nil), "WithStrategy(nil)"},
		{dagq.Rampup(-time.Second), "Rampup(-1s)"},
		{dagq.Rampup(time.Second), "without WithStrategy"},
		{dagq.MaxTasks(0), "MaxTasks(0)"},
		{dagq.MaxDuration(-time.Second), "MaxDuration(-1s)"},
		{dagq.MaxErrors(0), "MaxErrors(0)"},
	}
	for _, tt := range tests {
		q, err := s.Queue("bad", 1, tt.opt)
		require.Nil(t, q)
		require.ErrorContains(t, err, `dagq: queue "bad": `)
		require.ErrorContains(t, err, tt.want)
	}
	require.NotContains(t, s.Stats().Queues, "bad", "a rejected queue is not created")

	q, err := s.Queue("load", 4, dagq.WithStrategy(dagq.Constant(10, true)), dagq.MaxTasks(5))
	require.NoError(t, err)
	again, err := s.Queue("load", 4, dagq.MaxTasks(5), dagq.WithStrategy(dagq.Constant(10, true)))
	require.NoError(t, err)
	require.Same(t, q, again)
	_, err = s.Queue("load", 4, dagq.WithStrategy(dagq.Constant(10, false)), dagq.MaxTasks(5))
	require.EqualError(t, err, `dagq: queue "load" exists with settings (size 4, MaxTasks(5), WithStrategy(Constant(10, true))), `+
		`asked for (size 4, MaxTasks(5), WithStrategy(Constant(10, false)))`)
	for _, st := range []dagq.Strategy{dagq.Synchronous(), dagq.Concurrent(2), dagq.Throughput(3), dagq.Poisson(2, false, 7)} {
		_, err := s.Queue("load", 4, dagq.WithStrategy(st))
		require.ErrorContains(t, err, fmt.Sprintf("WithStrategy(%#v)", st))
	}
	require.Equal(t, "Poisson(2, false, 7)", fmt.Sprintf("%#v", dagq.Poisson(2, false, 7)))
}

// everySecond is a user-written strategy: one release per second, two
// tasks at once.
type everySecond struct{ limit int }

func (e everySecond) Limit() int     { return e.limit }
func (e everySecond) String() string { return "every-second" }
func (e everySecond) Releases(time.Duration) (func() time.Duration, error) {
	k := time.Duration(0)
	return func() time.Duration {
		k++
		return (k - 1) * time.Second
	}, nil
}

func TestCustomStrategy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var fs []*dagq.Future[int]
		start := pacedRun(t, 10, []dagq.QueueOption{dagq.WithStrategy(everySecond{limit: 2})}, func(q *dagq.Queue) {
			fs = submitN(q, 5, sleepFor(3*time.Second))
		})
		// Releases at 0, 1, 2, 3, 4 s, but only two run at once: the third
		// waits for the first to finish at 3 s, and so on.
		require.Equal(t, ms(0, 1000, 3000, 4000, 6000), targeted(t, start, fs))
	})
	_, err := dagq.New().Queue("bad", 1, dagq.WithStrategy(everySecond{limit: -1}))
	require.ErrorContains(t, err, `dagq: queue "bad": strategy every-second: concurrency limit -1, want ≥ 0`)
}
