package dagq

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// logRecords runs the sample pipeline with a LogObserver at level and
// returns the JSON records it wrote. The buffer needs no lock: it is
// read after Shutdown, which waits for the observer.
func logRecords(t *testing.T, level slog.Level) []map[string]any {
	var buf bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
		sampleRun(t, WithObserver(LogObserver(l)))
	})
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		out = append(out, r)
	}
	return out
}

func TestLogObserverLevels(t *testing.T) {
	recs := logRecords(t, slog.LevelInfo)
	var msgs []string
	for _, r := range recs {
		msgs = append(msgs, r["level"].(string)+" "+r["msg"].(string))
		switch r["msg"] {
		case "task failed":
			require.Equal(t, "ERROR", r["level"])
			require.Equal(t, "compile b", r["task"])
			require.Equal(t, "cpu", r["queue"])
			require.Equal(t, "syntax error", r["err"])
		case "task killed":
			require.Equal(t, "WARN", r["level"])
			require.Contains(t, r["reason"], `dependency "compile b" (id 4) failed: syntax error`)
		}
	}
	require.Equal(t, []string{
		"INFO run started", "ERROR task failed", "WARN task killed", "WARN task killed",
		"INFO run idle", "INFO run stopped",
	}, msgs)
}

func TestLogObserverDebugLifecycle(t *testing.T) {
	count := map[string]int{}
	for _, r := range logRecords(t, slog.LevelDebug) {
		count[r["msg"].(string)]++
		if r["msg"] == "task started" {
			require.Contains(t, r, "waited")
			require.Equal(t, "local", r["backend"])
		}
	}
	require.Equal(t, map[string]int{
		"run started": 1, "task submitted": 7, "task queued": 5, "task started": 5,
		"task succeeded": 4, "task failed": 1, "task killed": 2, "run idle": 1, "run stopped": 1,
	}, count)
}

func TestLogObserverRequeue(t *testing.T) {
	var buf bytes.Buffer
	o := LogObserver(slog.New(slog.NewTextHandler(&buf, nil)))
	o.Observe(Event{Kind: TaskQueued, From: Running, To: Queued, Reason: "retry 1 of 2 after: boom", Task: TaskInfo{ID: 1, Name: "x"}})
	require.Contains(t, buf.String(), `level=INFO msg="task requeued" id=1 task=x queue="" reason="retry 1 of 2 after: boom"`)
}

func TestLogObserverNilLoggerIsDefault(t *testing.T) {
	var buf bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	LogObserver(nil).Observe(Event{Kind: TaskFinished, From: Running, To: Failed, Task: TaskInfo{ID: 2, Name: "y", Err: errors.New("bad")}})
	require.Contains(t, buf.String(), `level=ERROR msg="task failed" id=2 task=y queue="" err=bad attempts=0 ran=0s`)
}
