package progress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// run runs ten one-second tasks on a queue "build" of size 1 (the fourth
// fails, the fifth depends on it) and two on "test".
func run(t *testing.T, d *Display) {
	s := dagq.New(dagq.WithObserver(d))
	build, err := s.Queue("build", 1)
	require.NoError(t, err)
	test, err := s.Queue("test", 2)
	require.NoError(t, err)
	var prev *dagq.Future[int]
	for i := range 10 {
		fn := func(context.Context) (int, error) {
			time.Sleep(time.Second)
			if i == 3 {
				return 0, errors.New("compiler crashed")
			}
			return i, nil
		}
		opts := []dagq.TaskOption{dagq.Name("step " + string(rune('0'+i)))}
		if i == 4 {
			opts = append(opts, dagq.After(prev))
		}
		prev = dagq.Submit(build, fn, opts...)
	}
	for range 2 {
		dagq.Submit(test, func(context.Context) (int, error) { time.Sleep(4500 * time.Millisecond); return 0, nil })
	}
	ctx := context.Background()
	require.Error(t, s.Run(ctx))
	require.NoError(t, s.Shutdown(ctx))
}

func TestPlainLines(t *testing.T) {
	var out bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		d := New(&out, Interval(3*time.Second))
		run(t, d)
		d.Close()
	})
	require.Equal(t, `dagq: queue build: 0/1 done, 0 running, 0 queued, 1 blocked, 0 failed, 0 killed
dagq: queue test: 0/1 done, 0 running, 0 queued, 1 blocked, 0 failed, 0 killed
dagq: queue build: 3/10 done, 0 running, 6 queued, 1 blocked, 0 failed, 0 killed, 1.0/s, ETA 7s
dagq: task "step 3" (id 4) on queue build failed: compiler crashed
dagq: queue test: 1/2 done, 1 running, 0 queued, 0 blocked, 0 failed, 0 killed, 0.2/s, ETA 4.5s
dagq: queue build: 7/10 done, 0 running, 3 queued, 0 blocked, 1 failed, 1 killed, 1.2/s, ETA 2.6s
dagq: queue build: 10/10 done, 0 running, 0 queued, 0 blocked, 1 failed, 1 killed, 1.1/s
dagq: queue test: 2/2 done, 0 running, 0 queued, 0 blocked, 0 failed, 0 killed, 0.4/s
`, out.String())
}

func TestBars(t *testing.T) {
	var out bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		d := New(&out, Bars(true))
		run(t, d)
		d.Close()
	})
	got := out.String()
	require.Contains(t, got, `dagq: task "step 3" (id 4) on queue build failed: compiler crashed`)
	require.Equal(t, 1, strings.Count(got, "compiler crashed"))
	frames := strings.Split(got, "\r")
	require.Equal(t, "\x1b[2A\x1b[2Kbuild 10/10 [\x1b[32m======================================\x1b[0m] \x1b[31m1 failed\x1b[0m, \x1b[31m1 killed\x1b[0m, 1.1/s\n"+
		"\x1b[2Ktest    2/2 [\x1b[32m======================================\x1b[0m] 0.4/s\n\x1b[J", frames[len(frames)-1], "the last frame, as the run ended")
}

// frameAt renders a display's frame at a terminal size, without colours.
func frameAt(cols, rows int, queues map[string]dagq.Counts, order ...string) []string {
	d := New(&bytes.Buffer{}, Bars(true), Color(false), Size(func() (int, int) { return cols, rows }))
	for _, name := range order {
		d.queueLocked(name).counts = queues[name]
	}
	return d.frameLocked()
}

// TestBarsFitTheWidth renders the same queues at 40, 80 and 200 columns
// and at an unknown size: every line is shorter than the width; the
// status comes before the bar, which shrinks and then goes; what does
// not fit is cut with "…".
func TestBarsFitTheWidth(t *testing.T) {
	queues := map[string]dagq.Counts{
		"build":             {Submitted: 21, Running: 2, Queued: 10, Blocked: 1, Failed: 1, Succeeded: 7},
		"integration-tests": {Submitted: 4, Succeeded: 4},
	}
	order := []string{"build", "integration-tests"}
	for _, tc := range []struct {
		cols int
		want []string
	}{
		{40, []string{
			"build       8/21 2 running, 10 queued,…",
			"integrati…   4/4",
		}},
		{80, []string{
			"build              8/21 [====>      ] 2 running, 10 queued, 1 blocked, 1 failed",
			"integration-tests   4/4 [===========]",
		}},
		{200, []string{
			"build              8/21 [==============>                       ] 2 running, 10 queued, 1 blocked, 1 failed",
			"integration-tests   4/4 [======================================]",
		}},
		{0, nil}, // unknown: as 80
	} {
		got := frameAt(tc.cols, 0, queues, order...)
		want := tc.want
		if tc.cols == 0 {
			want = frameAt(80, 0, queues, order...)
		}
		require.Equal(t, want, got, "%d columns", tc.cols)
		for _, line := range got {
			require.Less(t, utf8.RuneCountInString(line), max(tc.cols, 80), "%d columns: %q", tc.cols, line)
		}
	}
}

// More queues than the terminal has rows: the last line counts the rest,
// and a terminal that reports 0 rows is taken as 24.
func TestBarsFitTheHeight(t *testing.T) {
	queues := map[string]dagq.Counts{}
	var order []string
	for i := range 30 {
		name := fmt.Sprintf("q%02d", i)
		queues[name] = dagq.Counts{Submitted: 1, Running: 1}
		order = append(order, name)
	}
	got := frameAt(80, 6, queues, order...)
	require.Len(t, got, 5)
	require.Equal(t, "… and 26 more queues", got[4])
	require.Len(t, frameAt(80, 0, queues, order...), 23)
}

// Colours are on by default and off with NO_COLOR; plain mode and a dumb
// terminal never write control codes.
func TestColorsAndDumbTerminals(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	require.True(t, New(&bytes.Buffer{}, Bars(true)).bars.color)
	t.Setenv("NO_COLOR", "1")
	require.False(t, New(&bytes.Buffer{}, Bars(true)).bars.color)

	var out bytes.Buffer
	synctest.Test(t, func(t *testing.T) {
		d := New(&out, Interval(time.Second))
		run(t, d)
		d.Close()
	})
	require.NotContains(t, out.String(), "\x1b", "plain lines: no control codes")
}

// Print writes above the bars and redraws them below: the message is
// never written over a bar.
func TestPrintAboveTheBars(t *testing.T) {
	var out bytes.Buffer
	d := New(&out, Bars(true), Color(false), Size(func() (int, int) { return 60, 10 }))
	d.Observe(dagq.Event{Kind: dagq.TaskSubmitted, To: dagq.Blocked, Task: dagq.TaskInfo{ID: 1, Queue: "build"},
		Stats: dagq.Stats{Queues: map[string]dagq.Counts{"build": {Submitted: 1, Blocked: 1}}}})
	d.mu.Lock()
	d.bars.draw("", d.frameLocked())
	d.mu.Unlock()
	d.Print("dagq: interrupted\n")
	d.Close()
	require.Equal(t, "\r\x1b[2Kbuild 0/1 [                                     ] 1 blocked\n\x1b[J"+
		"\r\x1b[1A\x1b[Jdagq: interrupted\n\x1b[2Kbuild 0/1 [                                     ] 1 blocked\n\x1b[J"+
		"\r\x1b[1A\x1b[2Kbuild 0/1 [                                     ] 1 blocked\n\x1b[J", out.String())
}

func TestCloseIsIdempotentAndStopsObserving(t *testing.T) {
	var out bytes.Buffer
	d := New(&out, Bars(true))
	d.Close()
	d.Close()
	d.Observe(dagq.Event{Kind: dagq.TaskFinished, To: dagq.Failed, Task: dagq.TaskInfo{ID: 1, Err: errors.New("x")}})
	require.NotContains(t, out.String(), "failed")
}

func TestNotATerminal(t *testing.T) {
	require.False(t, IsTerminal(&bytes.Buffer{}))
}

func TestPrint(t *testing.T) {
	var out bytes.Buffer
	d := New(&out, Bars(true))
	d.Print("before close\n")
	d.Close()
	d.Print("after close\n")
	require.Contains(t, out.String(), "before close\n")
	require.True(t, strings.HasSuffix(out.String(), "after close\n"))

	out.Reset()
	New(&out).Print("plain\n")
	require.Equal(t, "plain\n", out.String())
}

// A line printed just before Close, above a bar, is not lost.
func TestPrintAboveABarBeforeClose(t *testing.T) {
	var out bytes.Buffer
	d := New(&out, Bars(true))
	d.Observe(dagq.Event{Kind: dagq.TaskSubmitted, To: dagq.Blocked, Task: dagq.TaskInfo{ID: 1, Queue: "build"}})
	d.Print("just before close\n")
	d.Close()
	require.Contains(t, out.String(), "just before close\n")
}
