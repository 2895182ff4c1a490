package dagq

import (
	"context"
	"log/slog"
)

// LogObserver returns an [Observer] that writes the run to l with
// structured attributes, at levels that keep a production log quiet:
//
//   - Error: a task failed ("task failed", with its error).
//   - Warn: a task was killed ("task killed", with the reason).
//   - Info: a task went back to Queued (retry, busy backend) with the
//     reason, and the run's own events (started, idle, stopped) with counts.
//   - Debug: every other step of a task's life (submitted, queued,
//     started, item, succeeded), with wait and run times.
//
// Attached with [WithObserver], events below l's level cost the run
// nearly nothing: the scheduler does not even record them unless another
// observer takes them, and l's Enabled is asked once per level every
// 10 ms of activity (outside the scheduler's lock; see [EventFilter]), so that a change of
// l's level (a [slog.LevelVar]) applies to events from at most 20 ms
// later on. Like any observer it runs on its own goroutine, never
// delaying dispatch. A nil l stands for slog.Default().
func LogObserver(l *slog.Logger) Observer {
	if l == nil {
		l = slog.Default()
	}
	return logObserver{l}
}

type logObserver struct{ l *slog.Logger }

func (o logObserver) Observe(e Event) {
	level, msg := logLevel(e.Kind, e.From, e.To)
	ctx := context.Background()
	if !o.l.Enabled(ctx, level) {
		return
	}
	if e.Task.ID == 0 {
		c := e.Stats.Counts
		o.l.LogAttrs(ctx, level, msg, slog.Int("submitted", c.Submitted), slog.Int("pending", c.Pending()),
			slog.Int("succeeded", c.Succeeded), slog.Int("failed", c.Failed), slog.Int("killed", c.Killed))
		return
	}
	t := &e.Task
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.Uint64("id", uint64(t.ID)), slog.String("task", t.Name), slog.String("queue", t.Queue))
	switch {
	case e.To == Failed:
		attrs = append(attrs, slog.Any("err", t.Err), slog.Int("attempts", t.Attempts), slog.Duration("ran", t.Duration()))
	case e.To == Killed || e.Reason != "":
		attrs = append(attrs, slog.String("reason", e.Reason))
	case e.Kind == TaskItem:
		attrs = append(attrs, slog.Int("item", e.Item))
	case e.To == Running:
		attrs = append(attrs, slog.String("backend", t.Backend), slog.Int("attempt", t.Attempts), slog.Duration("waited", t.Wait()))
	case e.To == Succeeded:
		attrs = append(attrs, slog.Duration("ran", t.Duration()))
	}
	o.l.LogAttrs(ctx, level, msg, attrs...)
}

// Enabled reports whether l logs events of this kind and transition (see
// [EventFilter]).
func (o logObserver) Enabled(kind EventKind, from, to Status) bool {
	level, _ := logLevel(kind, from, to)
	return o.l.Enabled(context.Background(), level)
}

// ReadsQueueStats reports false: the log carries the run's counts only
// (see [QueueStatsReader]).
func (logObserver) ReadsQueueStats() bool { return false }

// logLevel returns the level and message LogObserver uses for an event.
func logLevel(kind EventKind, from, to Status) (slog.Level, string) {
	switch {
	case kind == RunStarted:
		return slog.LevelInfo, "run started"
	case kind == RunIdle:
		return slog.LevelInfo, "run idle"
	case kind == RunStopped:
		return slog.LevelInfo, "run stopped"
	case kind == TaskItem:
		return slog.LevelDebug, "task item"
	case to == Queued && from == Running:
		return slog.LevelInfo, "task requeued"
	}
	return taskLogs[to].level, taskLogs[to].msg
}

// taskLogs are the level and message of a task's move to each status.
var taskLogs = [...]struct {
	level slog.Level
	msg   string
}{
	Blocked:   {slog.LevelDebug, "task submitted"},
	Queued:    {slog.LevelDebug, "task queued"},
	Running:   {slog.LevelDebug, "task started"},
	Succeeded: {slog.LevelDebug, "task succeeded"},
	Failed:    {slog.LevelError, "task failed"},
	Killed:    {slog.LevelWarn, "task killed"},
}
