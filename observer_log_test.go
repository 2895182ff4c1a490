package dagq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

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

// levelCounter is a slog handler at a variable level that counts the
// Enabled calls it answers.
type levelCounter struct {
	slog.Handler
	level *slog.LevelVar
	asked int
}

func (h *levelCounter) Enabled(_ context.Context, l slog.Level) bool {
	h.asked++
	return l >= h.level.Level()
}

// TestLogObserverAsksOncePerEventTypeAndBatch checks that the sink of a
// LogObserver asks it about each kind and transition once per batch of
// records, and again in the next batch (the level may have changed).
func TestLogObserverAsksOncePerEventTypeAndBatch(t *testing.T) {
	h := &levelCounter{Handler: slog.NewTextHandler(io.Discard, nil), level: new(slog.LevelVar)}
	k := &sink{filter: LogObserver(slog.New(h)).(EventFilter)}
	started := record{kind: indexOf(TaskStarted), from: Queued, to: Running}
	failed := record{kind: indexOf(TaskFinished), from: Running, to: Failed}
	for range 3 {
		require.False(t, k.wants(&started))
		require.True(t, k.wants(&failed))
	}
	require.Equal(t, 2, h.asked, "once per kind and transition")
	k.asked = 0 // the next batch
	h.level.Set(slog.LevelDebug)
	require.True(t, k.wants(&started))
	require.Equal(t, 3, h.asked)
}

// panickyLevel is a slog handler whose Enabled panics.
type panickyLevel struct{ slog.Handler }

func (panickyLevel) Enabled(context.Context, slog.Level) bool { panic("no level") }

func TestLogObserverFilterPanicWantsTheEvent(t *testing.T) {
	k := &sink{filter: LogObserver(slog.New(panickyLevel{slog.NewTextHandler(io.Discard, nil)})).(EventFilter)}
	require.True(t, k.wants(&record{kind: indexOf(TaskStarted), from: Queued, to: Running}))
}

// TestLogObserverRecordsOnlyWhatItLogs checks that the scheduler does not
// record the events a LogObserver, its only observer, would drop: the log
// holds the six records it writes, and its run events carry exact counts.
func TestLogObserverRecordsOnlyWhatItLogs(t *testing.T) {
	var buf bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		l := slog.New(slog.NewJSONHandler(&buf, nil))
		s := sampleRun(t, WithObserver(LogObserver(l)))
		require.Equal(t, uint64(6), s.events.Seq())
	})
	require.Contains(t, buf.String(), `"msg":"run idle","submitted":7,"pending":0,"succeeded":4,"failed":1,"killed":2`)
}

// TestLogObserverLevelChange lowers a LogObserver's level while the
// scheduler runs: the lifecycle events of a task submitted two refresh
// periods later are logged, those of a task submitted before are not.
func TestLogObserverLevelChange(t *testing.T) {
	var buf bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		level := new(slog.LevelVar)
		s := New(WithObserver(LogObserver(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level})))))
		ctx := context.Background()
		require.NoError(t, s.Start(ctx))
		nop := func(context.Context) (int, error) { return 0, nil }
		Submit(s.DefaultQueue(), nop, Name("before"))
		level.Set(slog.LevelDebug)
		for range 3 { // a refresh happens at the first event of each period
			time.Sleep(filterRefresh)
			Submit(s.DefaultQueue(), nop)
		}
		Submit(s.DefaultQueue(), nop, Name("after"))
		require.NoError(t, s.Wait(ctx))
		require.NoError(t, s.Shutdown(ctx))
	})
	require.NotContains(t, buf.String(), "task=before")
	for _, msg := range []string{"submitted", "queued", "started", "succeeded"} {
		require.Contains(t, buf.String(), `msg="task `+msg+`" id=5 task=after`)
	}
}

// TestEventBitsAndInterest checks that every kind and transition the
// scheduler emits has a bit of its own, and that a LogObserver at Info
// takes the bits of what it logs.
func TestEventBitsAndInterest(t *testing.T) {
	seen := map[uint64]bool{}
	for _, e := range eventTypes {
		b := evBit(indexOf(e.kind), e.from, e.to)
		require.False(t, seen[b], "%v %v→%v", e.kind, e.from, e.to)
		seen[b] = true
	}
	for _, e := range []EventKind{RunStarted, RunIdle, RunStopped} {
		require.True(t, seen[evBit(indexOf(e), 0, 0)], "%v", e)
	}
	require.Len(t, seen, 16)

	k := &sink{filter: LogObserver(slog.New(slog.DiscardHandler)).(EventFilter)}
	require.Zero(t, k.interest(), "a discarding handler takes nothing")
	k.filter = LogObserver(slog.New(slog.NewTextHandler(io.Discard, nil))).(EventFilter)
	m := k.interest()
	for _, e := range []struct {
		kind     EventKind
		from, to Status
		want     bool
	}{
		{RunStarted, 0, 0, true}, {RunIdle, 0, 0, true}, {RunStopped, 0, 0, true},
		{TaskFinished, Running, Failed, true}, {TaskFinished, Blocked, Killed, true},
		{TaskQueued, Running, Queued, true},
		{TaskSubmitted, 0, Blocked, false}, {TaskQueued, Blocked, Queued, false},
		{TaskStarted, Queued, Running, false}, {TaskItem, Running, Running, false},
		{TaskFinished, Running, Succeeded, false},
	} {
		require.Equal(t, e.want, m&evBit(indexOf(e.kind), e.from, e.to) != 0, "%v %v→%v", e.kind, e.from, e.to)
	}
	require.Equal(t, uint64(allEvents), (&sink{}).interest())
}

// TestLogObserverLevelFlipsBesideSubscriber flips a LogObserver's level
// while tasks run and a subscriber comes and goes: the subscriber, which
// takes every event, misses none of the tasks submitted while it
// listens, whatever the logger's level does to what the scheduler
// records.
func TestLogObserverLevelFlipsBesideSubscriber(t *testing.T) {
	level := new(slog.LevelVar)
	s := New(WithObserver(LogObserver(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: level})))))
	ctx := context.Background()
	require.NoError(t, s.Start(ctx))
	stop := make(chan struct{})
	flipped := make(chan struct{})
	go func() {
		defer close(flipped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				level.Set(slog.Level(4 * (i%3 - 1))) // Debug, Info, Warn
			}
		}
	}()
	nop := func(context.Context) (int, error) { return 0, nil }
	for round := range 3 {
		for range 200 {
			Submit(s.DefaultQueue(), nop) // unobserved but by the logger
		}
		events, unsubscribe := s.Subscribe(0)
		var ids []TaskID
		for range 300 {
			ids = append(ids, Submit(s.DefaultQueue(), nop).ID())
		}
		seen := map[TaskID][]EventKind{}
		for finished := 0; finished < len(ids); {
			var e Event
			select {
			case e = <-events:
			case <-time.After(time.Minute):
				t.Fatalf("round %d: %d of %d tasks finished, the others' events are missing", round, finished, len(ids))
			}
			if e.Task.ID >= ids[0] {
				seen[e.Task.ID] = append(seen[e.Task.ID], e.Kind)
				if e.Kind == TaskFinished {
					finished++
				}
			}
		}
		unsubscribe()
		for _, id := range ids {
			require.Equal(t, []EventKind{TaskSubmitted, TaskQueued, TaskStarted, TaskFinished}, seen[id], "round %d, task %d", round, id)
		}
	}
	close(stop)
	<-flipped
	require.NoError(t, s.Wait(ctx))
	require.NoError(t, s.Shutdown(ctx))
}

// TestEveryEventHasItsType checks that every event a varied run emits is
// one of eventTypes, which a filtering sink asks about: an event of
// another kind or transition would never reach a filter that takes it.
func TestEveryEventHasItsType(t *testing.T) {
	known := map[eventType]bool{}
	for _, e := range eventTypes {
		known[e] = true
	}
	seen := map[eventType]bool{}
	var mu sync.Mutex
	obs := ObserverFunc(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		seen[eventType{e.Kind, e.From, e.To}] = true
	})
	synctest.Test(t, func(t *testing.T) {
		s := New(WithObserver(obs))
		q := s.DefaultQueue()
		one, err := s.Queue("one", 1)
		require.NoError(t, err)
		tries := 0
		flaky := Submit(q, func(context.Context) (int, error) {
			if tries++; tries == 1 {
				return 0, errors.New("once")
			}
			return 1, nil
		}, Retry(1, time.Second), Key("k"))
		Submit(q, func(context.Context) (int, error) { return 1, nil }, Key("k"), After(flaky)) // adopts or is cached
		long := Submit(one, func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() })
		queued := Submit(one, func(context.Context) (int, error) { return 0, nil })
		Submit(one, func(context.Context) (int, error) { return 0, nil }, After(queued)) // killed while Blocked
		Submit(q, func(context.Context) (int, error) { return 0, nil }, Weight(math.NaN()))
		st := SubmitStream(q, func(_ context.Context, emit func(int) error) error { return emit(1) })
		require.NoError(t, s.Start(t.Context()))
		_, err = flaky.Get(t.Context())
		require.NoError(t, err)
		_, err = st.All(t.Context())
		require.NoError(t, err)
		for long.Status() != Running {
			time.Sleep(time.Millisecond)
		}
		s.Cancel(queued.ID(), "queued")
		s.Cancel(long.ID(), "running")
		Submit(q, func(context.Context) (int, error) { return 1, nil }, Key("k")) // cached: Blocked → Succeeded
		require.Error(t, s.Wait(t.Context()))
		require.NoError(t, s.Shutdown(t.Context()))
	})
	for e := range seen {
		require.True(t, known[e], "%v %v→%v is not in eventTypes", e.kind, e.from, e.to)
	}
	require.GreaterOrEqual(t, len(seen), 13, "%v", seen)
}
