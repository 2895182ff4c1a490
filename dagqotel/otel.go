// Package otel traces a dagq run with OpenTelemetry: an Observer that
// makes a span for the run and, under it, a span per task attempt. Import
// it under another name (dagqotel) where go.opentelemetry.io/otel is
// imported too.
//
//	o := dagqotel.New(ctx, tracerProvider)
//	s := dagq.New(dagq.WithObserver(o))
//
// The run span ("dagq.run") lasts from Start (or the first task to start)
// until the scheduler is idle or stopped; a later task starts a new one.
// A task's span, named after the task, lasts from Started to Finished, or
// until the attempt was sent back to Queued (a retry), so a retried task
// has a span per attempt; a task that never ran (killed while blocked or
// queued, refused at submission) has one span from Submitted to Finished.
// Spans carry the attributes dagq.task.id, dagq.task.name, dagq.queue,
// dagq.backend, dagq.attempt, dagq.status, dagq.wait_seconds (Ready →
// Started) and, when there is one, dagq.reason; a task that failed or was
// killed has the span status Error with its error or reason. A stream's
// items are span events ("dagq.item") on its span.
package dagqotel

import (
	"context"
	"sync"

	"github.com/dagq/dagq"
	otelapi "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Observer is a [dagq.Observer] that makes OpenTelemetry spans. Create it
// with [New]; one Observer serves one scheduler. It is safe for
// concurrent use; it holds one open span per running task.
type Observer struct {
	tracer trace.Tracer
	ctx    context.Context

	mu    sync.Mutex
	run   trace.Span // nil between runs
	runCx context.Context
	open  map[dagq.TaskID]trace.Span
}

// New returns an Observer whose spans come from tp's tracer
// "github.com/dagq/dagq" (the global provider if tp is nil). Run spans
// are children of the span in ctx, if any (pass context.Background() for
// root run spans).
func New(ctx context.Context, tp trace.TracerProvider) *Observer {
	if tp == nil {
		tp = otelapi.GetTracerProvider()
	}
	return &Observer{
		tracer: tp.Tracer("github.com/dagq/dagq"),
		ctx:    ctx,
		open:   map[dagq.TaskID]trace.Span{},
	}
}

// Enabled reports whether Observe uses such events: all but a task's
// submission and its becoming ready (a return from Running, which ends an
// attempt's span, is used; see [dagq.EventFilter]).
func (o *Observer) Enabled(kind dagq.EventKind, from, _ dagq.Status) bool {
	return kind != dagq.TaskSubmitted && (kind != dagq.TaskQueued || from == dagq.Running)
}

// ReadsQueueStats reports false: spans carry the run's counts only (see
// [dagq.QueueStatsReader]).
func (o *Observer) ReadsQueueStats() bool { return false }

// Observe turns one event into span starts and ends.
func (o *Observer) Observe(e dagq.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case e.Kind == dagq.RunStarted:
		o.runSpan(e)
	case e.Kind == dagq.RunIdle || e.Kind == dagq.RunStopped:
		o.endRun(e)
	case e.Kind == dagq.TaskItem:
		if sp := o.open[e.Task.ID]; sp != nil {
			sp.AddEvent("dagq.item", trace.WithTimestamp(e.Time), trace.WithAttributes(attribute.Int("dagq.item", e.Item)))
		}
	case e.Kind == dagq.TaskStarted:
		_, sp := o.tracer.Start(o.runSpan(e), taskName(e.Task), trace.WithTimestamp(e.Task.Started),
			trace.WithAttributes(taskAttrs(e.Task)...))
		o.open[e.Task.ID] = sp
	case e.From == dagq.Running:
		sp := o.open[e.Task.ID]
		delete(o.open, e.Task.ID)
		if sp != nil {
			o.end(sp, e)
		}
	case e.To.Terminal():
		_, sp := o.tracer.Start(o.runSpan(e), taskName(e.Task), trace.WithTimestamp(e.Task.Submitted),
			trace.WithAttributes(taskAttrs(e.Task)...))
		o.end(sp, e)
	}
}

// runSpan returns the context of the current run span, starting one at
// e's time if there is none.
func (o *Observer) runSpan(e dagq.Event) context.Context {
	if o.run == nil {
		o.runCx, o.run = o.tracer.Start(o.ctx, "dagq.run", trace.WithTimestamp(e.Time))
	}
	return o.runCx
}

// endRun ends the run span with the run's counts.
func (o *Observer) endRun(e dagq.Event) {
	if o.run == nil {
		return
	}
	c := e.Stats.Counts
	o.run.SetAttributes(attribute.Int("dagq.submitted", c.Submitted), attribute.Int("dagq.succeeded", c.Succeeded),
		attribute.Int("dagq.failed", c.Failed), attribute.Int("dagq.killed", c.Killed))
	if c.Failed+c.Killed > 0 {
		o.run.SetStatus(codes.Error, "tasks failed or were killed")
	}
	o.run.End(trace.WithTimestamp(e.Time))
	o.run, o.runCx = nil, nil
}

// end ends a task's span at e with e's outcome.
func (o *Observer) end(sp trace.Span, e dagq.Event) {
	sp.SetAttributes(attribute.String("dagq.status", e.To.String()))
	if e.Reason != "" {
		sp.SetAttributes(attribute.String("dagq.reason", e.Reason))
	}
	switch e.To {
	case dagq.Succeeded:
		sp.SetStatus(codes.Ok, "")
	case dagq.Failed:
		if e.Task.Err != nil {
			sp.RecordError(e.Task.Err, trace.WithTimestamp(e.Time))
			sp.SetStatus(codes.Error, e.Task.Err.Error())
		}
	case dagq.Killed:
		sp.SetStatus(codes.Error, "killed: "+e.Reason)
	}
	sp.End(trace.WithTimestamp(e.Time))
}

func taskAttrs(t dagq.TaskInfo) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.Int64("dagq.task.id", int64(t.ID)),
		attribute.String("dagq.task.name", t.Name),
		attribute.String("dagq.queue", t.Queue),
		attribute.String("dagq.backend", t.Backend),
		attribute.Int("dagq.attempt", t.Attempts),
		attribute.Float64("dagq.wait_seconds", t.Wait().Seconds()),
	}
}

func taskName(t dagq.TaskInfo) string {
	if t.Name != "" {
		return t.Name
	}
	return "dagq.task"
}
