// Package prom exports a dagq run as Prometheus metrics: an Observer
// that keeps, per queue, how many tasks are in each status, how many
// finished, how deep the queue is, and histograms of how long tasks
// waited for capacity and how long they ran.
//
//	o, err := dagqprom.New(prometheus.DefaultRegisterer)
//	s := dagq.New(dagq.WithObserver(o))
//
// Metric names (with the default namespace "dagq"):
//
//	dagq_tasks{queue,status}                gauge: tasks now in each status
//	dagq_tasks_finished_total{queue,status} counter: tasks that ended succeeded, failed or killed
//	dagq_queue_depth{queue}                 gauge: ready tasks waiting for a slot (Queued)
//	dagq_task_wait_seconds{queue}           histogram: Ready → Started, per start
//	dagq_task_run_seconds{queue,status}     histogram: Started → Finished, per task that ran
package dagqprom

import (
	"fmt"

	"github.com/dagq/dagq"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultBuckets are the histogram buckets, in seconds: 1 ms to about
// 4.4 minutes, each four times the last.
var DefaultBuckets = prometheus.ExponentialBuckets(0.001, 4, 10)

// Observer is a [dagq.Observer] that updates Prometheus metrics. Create
// it with [New]; it is safe for concurrent use, may observe several
// schedulers at once (their counts add up), and costs a few map lookups
// and atomic adds per event.
type Observer struct {
	tasks    *prometheus.GaugeVec
	finished *prometheus.CounterVec
	depth    *prometheus.GaugeVec
	wait     *prometheus.HistogramVec
	run      *prometheus.HistogramVec
}

// Option configures [New].
type Option func(*config)

type config struct {
	namespace string
	buckets   []float64
}

// Namespace sets the metric names' prefix ("dagq" by default).
func Namespace(ns string) Option { return func(c *config) { c.namespace = ns } }

// Buckets sets the wait and run histograms' buckets, in seconds
// ([DefaultBuckets] by default).
func Buckets(b []float64) Option { return func(c *config) { c.buckets = b } }

// New returns an Observer whose metrics are registered with reg
// (prometheus.DefaultRegisterer if reg is nil). It
// returns an error, and registers nothing it could undo, if reg refuses
// one (for instance because another Observer with the same namespace is
// registered there).
func New(reg prometheus.Registerer, opts ...Option) (*Observer, error) {
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	c := config{namespace: "dagq", buckets: DefaultBuckets}
	for _, o := range opts {
		o(&c)
	}
	o := &Observer{
		tasks: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: c.namespace, Name: "tasks",
			Help: "Tasks now in each status, by queue."}, []string{"queue", "status"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: c.namespace, Name: "tasks_finished_total",
			Help: "Tasks that reached a terminal status (succeeded, failed, killed), by queue."}, []string{"queue", "status"}),
		depth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: c.namespace, Name: "queue_depth",
			Help: "Ready tasks waiting for a slot, a resource or their release time."}, []string{"queue"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: c.namespace, Name: "task_wait_seconds",
			Help: "How long tasks waited from ready to started.", Buckets: c.buckets}, []string{"queue"}),
		run: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: c.namespace, Name: "task_run_seconds",
			Help: "How long tasks ran, from started to finished.", Buckets: c.buckets}, []string{"queue", "status"}),
	}
	cs := []prometheus.Collector{o.tasks, o.finished, o.depth, o.wait, o.run}
	for i, col := range cs {
		if err := reg.Register(col); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			return nil, fmt.Errorf("dagqprom: register metrics: %w", err)
		}
	}
	return o, nil
}

// Enabled reports whether Observe updates the metrics for such events:
// task events that change a status (see [dagq.EventFilter]); the
// scheduler does not record the others for it.
func (o *Observer) Enabled(_ dagq.EventKind, from, to dagq.Status) bool {
	return to != 0 && from != to
}

// ReadsQueueStats reports false: the metrics are kept from the events'
// transitions (see [dagq.QueueStatsReader]).
func (o *Observer) ReadsQueueStats() bool { return false }

// Observe updates the metrics for one event; run events are ignored.
func (o *Observer) Observe(e dagq.Event) {
	if e.Task.ID == 0 || e.From == e.To {
		return
	}
	q := e.Task.Queue
	if e.From != 0 {
		o.tasks.WithLabelValues(q, e.From.String()).Dec()
	}
	o.tasks.WithLabelValues(q, e.To.String()).Inc()
	switch {
	case e.To == dagq.Queued:
		o.depth.WithLabelValues(q).Inc()
	case e.From == dagq.Queued:
		o.depth.WithLabelValues(q).Dec()
	}
	if e.To == dagq.Running {
		o.wait.WithLabelValues(q).Observe(e.Task.Wait().Seconds())
	}
	if e.To.Terminal() {
		o.finished.WithLabelValues(q, e.To.String()).Inc()
		if e.From == dagq.Running {
			o.run.WithLabelValues(q, e.To.String()).Observe(e.Task.Duration().Seconds())
		}
	}
}
