package dagq_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/dagq/dagq"
)

// buildRun runs a compile that fails and a link that depends on it, on a
// queue of size 1, with the given observers.
func buildRun(opts ...dagq.Option) *dagq.Scheduler {
	ctx := context.Background()
	s := dagq.New(opts...)
	q, _ := s.Queue("build", 1)
	compile := dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("syntax error") }, dagq.Name("compile"))
	dagq.Then(q, compile, func(context.Context, int) (int, error) { return 0, nil }, dagq.Name("link"))
	dagq.Submit(q, func(context.Context) (string, error) { return "docs", nil }, dagq.Name("docs"))
	_ = s.Run(ctx)
	_ = s.Shutdown(ctx)
	return s
}

func ExampleLogObserver() {
	// Leave out what changes from run to run: the time and durations.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "ran" {
				return slog.Attr{}
			}
			return a
		},
	}))
	buildRun(dagq.WithObserver(dagq.LogObserver(logger)))
	// Output:
	// level=INFO msg="run started" submitted=3 pending=3 succeeded=0 failed=0 killed=0
	// level=ERROR msg="task failed" id=1 task=compile queue=build err="syntax error" attempts=1
	// level=WARN msg="task killed" id=2 task=link queue=build reason="dependency \"compile\" (id 1) failed: syntax error"
	// level=INFO msg="run idle" submitted=3 pending=0 succeeded=1 failed=1 killed=1
	// level=INFO msg="run stopped" submitted=3 pending=0 succeeded=1 failed=1 killed=1
}

func ExampleScheduler_Mermaid() {
	s := buildRun()
	fmt.Print(s.Mermaid())
	// Output:
	// flowchart LR
	// 	t1["compile<br/>failed: syntax error"]:::failed
	// 	t2["link<br/>killed: dependency #quot;compile#quot; (id 1) failed: syntax error"]:::killed
	// 	t3["docs<br/>succeeded"]:::succeeded
	// 	t1 --> t2
	// 	classDef blocked fill:#d1d5db,stroke:#374151
	// 	classDef queued fill:#fcd34d,stroke:#374151
	// 	classDef running fill:#60a5fa,stroke:#374151
	// 	classDef succeeded fill:#4ade80,stroke:#374151
	// 	classDef failed fill:#f87171,stroke:#374151
	// 	classDef killed fill:#9ca3af,stroke:#374151
}

func ExampleWriteTrace() {
	var rec dagq.Recorder
	buildRun(dagq.WithObserver(&rec))

	var buf bytes.Buffer
	if err := dagq.WriteTrace(&buf, rec.Tasks()); err != nil {
		fmt.Println(err)
		return
	}
	// The file is what Perfetto and chrome://tracing open; count its
	// complete events (one per task that ran) and kill markers.
	var trace struct {
		TraceEvents []struct{ Name, Ph, Cat string } `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &trace); err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range trace.TraceEvents {
		if e.Ph == "X" || e.Ph == "i" {
			fmt.Printf("%s %s: %s\n", e.Ph, e.Name, e.Cat)
		}
	}
	// Output:
	// X compile: failed
	// i killed: link: killed
	// X docs: succeeded
}

// failures is an observer that takes only failed and killed tasks: as an
// EventFilter, it costs the run nothing for the other events, which the
// scheduler then does not even record.
type failures struct {
	mu    sync.Mutex
	lines []string
}

func (f *failures) Enabled(kind dagq.EventKind, _, to dagq.Status) bool {
	return kind == dagq.TaskFinished && (to == dagq.Failed || to == dagq.Killed)
}

func (f *failures) ReadsQueueStats() bool { return false }

func (f *failures) Observe(e dagq.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, fmt.Sprintf("%s %s", e.Task.Name, e.To))
}

// An observer says which events it takes with EventFilter, and that it
// needs no per-queue counts with QueueStatsReader.
func ExampleEventFilter() {
	ctx := context.Background()
	f := &failures{}
	s := dagq.New(dagq.WithObserver(f))
	q := s.DefaultQueue()
	build := dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("syntax error") }, dagq.Name("build"))
	dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("test"), dagq.After(build))
	dagq.Submit(q, func(context.Context) (int, error) { return 2, nil }, dagq.Name("docs"))
	_ = s.Run(ctx)
	_ = s.Shutdown(ctx) // delivers every event before it returns
	fmt.Println(strings.Join(f.lines, ", "))
	// Output: build failed, test killed
}
