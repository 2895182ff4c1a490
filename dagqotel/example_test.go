package dagqotel_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqotel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func Example() {
	exp := tracetest.NewInMemoryExporter() // in production: an OTLP exporter
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	ctx := context.Background()

	s := dagq.New(dagq.WithObserver(dagqotel.New(ctx, tp)))
	q, _ := s.Queue("etl", 1)
	extract := dagq.Submit(q, func(context.Context) (string, error) { return "rows", nil }, dagq.Name("extract"))
	dagq.Then(q, extract, func(_ context.Context, rows string) (int, error) { return len(rows), nil }, dagq.Name("load"))
	_ = s.Run(ctx)
	_ = s.Shutdown(ctx)

	spans := exp.GetSpans()
	runID := spans[len(spans)-1].SpanContext.SpanID() // the run span ends last
	var lines []string
	for _, sp := range spans {
		lines = append(lines, fmt.Sprintf("%s (child of run: %v)", sp.Name, sp.Parent.SpanID() == runID))
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	_ = tp.Shutdown(ctx)
	// Output:
	// dagq.run (child of run: false)
	// extract (child of run: true)
	// load (child of run: true)
}
