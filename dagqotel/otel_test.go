package dagqotel

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// spans runs, on a queue "q" of size 1: a (10ms), b (5ms, fails once,
// then again: no more retries), c after b (killed), and returns the spans
// by name.
func spans(t *testing.T) map[string][]tracetest.SpanStub {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	ctx := context.Background()
	s := dagq.New(dagq.WithObserver(New(ctx, tp)))
	q, err := s.Queue("q", 1)
	require.NoError(t, err)
	dagq.Submit(q, func(context.Context) (int, error) { time.Sleep(10 * time.Millisecond); return 1, nil }, dagq.Name("a"))
	b := dagq.Submit(q, func(context.Context) (int, error) {
		time.Sleep(5 * time.Millisecond)
		return 0, errors.New("boom")
	}, dagq.Name("b"), dagq.Retry(1, time.Millisecond))
	dagq.Then(q, b, func(context.Context, int) (int, error) { return 0, nil }, dagq.Name("c"))
	require.Error(t, s.Run(ctx))
	require.NoError(t, s.Shutdown(ctx))
	out := map[string][]tracetest.SpanStub{}
	for _, sp := range exp.GetSpans() {
		out[sp.Name] = append(out[sp.Name], sp)
	}
	require.NoError(t, tp.Shutdown(ctx)) // resets the exporter
	return out
}

func attrs(sp tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range sp.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestSpansPerTaskUnderRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		got := spans(t)
		require.Len(t, got["dagq.run"], 1)
		run := got["dagq.run"][0]
		require.Equal(t, codes.Error, run.Status.Code)
		require.Equal(t, int64(3), attrs(run)["dagq.submitted"].AsInt64())

		require.Len(t, got["a"], 1)
		require.Len(t, got["b"], 2, "one span per attempt")
		require.Len(t, got["c"], 1)
		for _, name := range []string{"a", "b", "c"} {
			for _, sp := range got[name] {
				require.Equal(t, run.SpanContext.TraceID(), sp.SpanContext.TraceID())
				require.Equal(t, run.SpanContext.SpanID(), sp.Parent.SpanID(), name)
				require.Equal(t, "q", attrs(sp)["dagq.queue"].AsString())
			}
		}

		a := got["a"][0]
		require.Equal(t, 10*time.Millisecond, a.EndTime.Sub(a.StartTime))
		require.Equal(t, "local", attrs(a)["dagq.backend"].AsString())
		require.Equal(t, int64(1), attrs(a)["dagq.attempt"].AsInt64())
		require.Equal(t, "succeeded", attrs(a)["dagq.status"].AsString())
		require.Equal(t, codes.Ok, a.Status.Code)

		b1, b2 := got["b"][0], got["b"][1]
		require.Equal(t, "queued", attrs(b1)["dagq.status"].AsString())
		require.Contains(t, attrs(b1)["dagq.reason"].AsString(), "retry 1 of 1 after: boom")
		require.Equal(t, int64(2), attrs(b2)["dagq.attempt"].AsInt64())
		require.Equal(t, "failed", attrs(b2)["dagq.status"].AsString())
		require.Equal(t, codes.Error, b2.Status.Code)
		require.Equal(t, "boom", b2.Status.Description)
		require.Equal(t, 0.01, attrs(b1)["dagq.wait_seconds"].AsFloat64(), "b waited for a")

		c := got["c"][0]
		require.Equal(t, "killed", attrs(c)["dagq.status"].AsString())
		require.Equal(t, codes.Error, c.Status.Code)
		require.Contains(t, c.Status.Description, `killed: dependency "b" (id 2) failed: boom`)
	})
}

func TestStreamItemsAreSpanEvents(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	o := New(context.Background(), tp)
	t0 := time.Unix(100, 0)
	task := dagq.TaskInfo{ID: 1, Name: "stream", Queue: "q", Backend: "local", Attempts: 1, Submitted: t0, Ready: t0, Started: t0}
	o.Observe(dagq.Event{Kind: dagq.TaskStarted, Time: t0, Task: task, From: dagq.Queued, To: dagq.Running})
	for i := range 2 {
		o.Observe(dagq.Event{Kind: dagq.TaskItem, Time: t0.Add(time.Duration(i+1) * time.Second), Task: task, From: dagq.Running, To: dagq.Running, Item: i})
	}
	require.Empty(t, exp.GetSpans(), "items do not end the span")
	task.Finished = t0.Add(3 * time.Second)
	o.Observe(dagq.Event{Kind: dagq.TaskFinished, Time: task.Finished, Task: task, From: dagq.Running, To: dagq.Succeeded})
	o.Observe(dagq.Event{Kind: dagq.RunIdle, Time: task.Finished})
	spans := exp.GetSpans()
	require.Len(t, spans, 2)
	require.Equal(t, "stream", spans[0].Name)
	require.Len(t, spans[0].Events, 2)
	require.Equal(t, "dagq.item", spans[0].Events[1].Name)
	require.Equal(t, t0.Add(2*time.Second), spans[0].Events[1].Time)
	require.Equal(t, "dagq.run", spans[1].Name)
	require.NoError(t, tp.Shutdown(context.Background()))
}
