package dagqprom

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/dagq/dagq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// run runs, on a queue "q" of size 1: a (10ms), b (5ms, fails), c after b
// (killed), d (100ms); so b waits 10ms and d 15ms.
func run(t *testing.T, o dagq.Observer) {
	s := dagq.New(dagq.WithObserver(o))
	q, err := s.Queue("q", 1)
	require.NoError(t, err)
	sleep := func(d time.Duration, err error) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { time.Sleep(d); return 0, err }
	}
	dagq.Submit(q, sleep(10*time.Millisecond, nil), dagq.Name("a"))
	b := dagq.Submit(q, sleep(5*time.Millisecond, errors.New("boom")), dagq.Name("b"))
	dagq.Then(q, b, func(context.Context, int) (int, error) { return 0, nil }, dagq.Name("c"))
	dagq.Submit(q, sleep(100*time.Millisecond, nil), dagq.Name("d"))
	ctx := context.Background()
	require.Error(t, s.Run(ctx))
	require.NoError(t, s.Shutdown(ctx))
}

func TestObserverMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		o, err := New(reg)
		require.NoError(t, err)
		run(t, o)
		require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP dagq_queue_depth Ready tasks waiting for a slot, a resource or their release time.
# TYPE dagq_queue_depth gauge
dagq_queue_depth{queue="q"} 0
# HELP dagq_tasks Tasks now in each status, by queue.
# TYPE dagq_tasks gauge
dagq_tasks{queue="q",status="blocked"} 0
dagq_tasks{queue="q",status="failed"} 1
dagq_tasks{queue="q",status="killed"} 1
dagq_tasks{queue="q",status="queued"} 0
dagq_tasks{queue="q",status="running"} 0
dagq_tasks{queue="q",status="succeeded"} 2
# HELP dagq_tasks_finished_total Tasks that reached a terminal status (succeeded, failed, killed), by queue.
# TYPE dagq_tasks_finished_total counter
dagq_tasks_finished_total{queue="q",status="failed"} 1
dagq_tasks_finished_total{queue="q",status="killed"} 1
dagq_tasks_finished_total{queue="q",status="succeeded"} 2
`), "dagq_queue_depth", "dagq_tasks", "dagq_tasks_finished_total"))

		require.Equal(t, 1, testutil.CollectAndCount(o.wait), "one queue")
		require.Equal(t, 2, testutil.CollectAndCount(o.run), "succeeded and failed")
		fams, err := reg.Gather()
		require.NoError(t, err)
		hist := map[string]float64{} // "name labels count|sum" → value
		for _, f := range fams {
			for _, m := range f.GetMetric() {
				if h := m.GetHistogram(); h != nil {
					key := f.GetName()
					for _, l := range m.GetLabel() {
						key += " " + l.GetValue()
					}
					hist[key+" count"] = float64(h.GetSampleCount())
					hist[key+" sum"] = h.GetSampleSum()
				}
			}
		}
		require.InDeltaMapValues(t, map[string]float64{
			"dagq_task_wait_seconds q count":          3,
			"dagq_task_wait_seconds q sum":            0.025,
			"dagq_task_run_seconds q succeeded count": 2,
			"dagq_task_run_seconds q succeeded sum":   0.110,
			"dagq_task_run_seconds q failed count":    1,
			"dagq_task_run_seconds q failed sum":      0.005,
		}, hist, 1e-9)
	})
}

func TestNewRefusesDuplicateRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	_, err := New(reg)
	require.NoError(t, err)
	_, err = New(reg)
	require.ErrorContains(t, err, "dagqprom: register metrics")
	_, err = New(reg, Namespace("other"), Buckets([]float64{1, 2}))
	require.NoError(t, err, "a failed New leaves nothing registered that blocks another namespace")
}
