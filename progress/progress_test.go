package progress

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

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
	require.Contains(t, got, "10/10")
	require.Contains(t, got, "2/2")
	require.Contains(t, got, "0 running, 0 queued, 0 blocked, 1 failed, 1 killed, 1.1/s")
	require.Equal(t, 1, strings.Count(got, "compiler crashed"))
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
