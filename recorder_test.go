package dagq

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// sampleRun runs a small pipeline inside the current synctest bubble and
// returns the scheduler, shut down: two fetches on a queue "net" of size
// 1, two compiles on "cpu" of size 2 (one fails), a link and a test that
// are killed because of it, and an independent task.
func sampleRun(t *testing.T, opts ...Option) *Scheduler {
	t.Helper()
	s := New(opts...)
	net, err := s.Queue("net", 1)
	require.NoError(t, err)
	cpu, err := s.Queue("cpu", 2)
	require.NoError(t, err)
	sleep := func(d time.Duration, fail bool) func(context.Context) (int, error) {
		return func(context.Context) (int, error) {
			time.Sleep(d)
			if fail {
				return 0, errors.New("syntax error")
			}
			return 1, nil
		}
	}
	then := func(d time.Duration, fail bool) func(context.Context, int) (int, error) {
		return func(ctx context.Context, _ int) (int, error) { return sleep(d, fail)(ctx) }
	}
	fa := Submit(net, sleep(10*time.Millisecond, false), Name("fetch a"))
	fb := Submit(net, sleep(10*time.Millisecond, false), Name("fetch b"))
	ca := Then(cpu, fa, then(20*time.Millisecond, false), Name("compile a"))
	cb := Then(cpu, fb, then(5*time.Millisecond, true), Name("compile b"))
	link := Then2(cpu, ca, cb, func(context.Context, int, int) (int, error) { return 0, nil }, Name("link"))
	Then(cpu, link, then(time.Millisecond, false), Name("test"))
	Submit(cpu, sleep(30*time.Millisecond, false), Name("docs"))
	ctx := context.Background()
	require.Error(t, s.Run(ctx))
	require.NoError(t, s.Shutdown(ctx))
	return s
}

func TestRecorderMatchesScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec Recorder
		s := sampleRun(t, WithObserver(&rec))
		require.Equal(t, s.Tasks(), rec.Tasks())
		require.Len(t, rec.Tasks(), 7)
	})
}

func TestRecorderIgnoresRunEvents(t *testing.T) {
	var rec Recorder
	rec.Observe(Event{Kind: RunStarted})
	rec.Observe(Event{Kind: TaskSubmitted, Task: TaskInfo{ID: 3, Name: "c"}})
	rec.Observe(Event{Kind: TaskSubmitted, Task: TaskInfo{ID: 1, Name: "a"}})
	got := rec.Tasks()
	require.Len(t, got, 2)
	require.Equal(t, "a", got[0].Name)
	require.Equal(t, "c", got[1].Name)
}

// TestRecorderNamesAndRareFields runs tasks that alternate between
// queues and set the rarely set options on some of them: the Recorder,
// which stores queue names once and those options apart, gives the
// scheduler's snapshots.
func TestRecorderNamesAndRareFields(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec Recorder
		s := New(WithObserver(&rec))
		q1, err := s.Queue("q1", 2)
		require.NoError(t, err)
		q2, err := s.Queue("q2", 1)
		require.NoError(t, err)
		queues := []*Queue{s.def, q1, q2, q1}
		for i := range 20 {
			var opts []TaskOption
			switch i % 5 {
			case 1:
				opts = append(opts, Weight(2), Priority(-3))
			case 2:
				opts = append(opts, Cost(1.5))
			case 3:
				opts = append(opts, Tenant("t"), Key("k"+string(rune('a'+i))))
			}
			Submit(queues[i%len(queues)], func(context.Context) (int, error) {
				time.Sleep(time.Millisecond)
				return i, nil
			}, opts...)
		}
		require.NoError(t, s.Run(context.Background()))
		require.NoError(t, s.Shutdown(context.Background()))
		require.Equal(t, s.Tasks(), rec.Tasks())
	})
}

// TestRecorderReadsItsSchedulers attaches one Recorder to two schedulers
// and gives it events from a third through Observe: it takes no sink,
// and returns the tasks of each in turn.
func TestRecorderReadsItsSchedulers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec Recorder
		a := sampleRun(t, WithObserver(&rec))
		require.Empty(t, a.sinks)
		b := sampleRun(t, WithObserver(&rec))
		c := New(WithObserver(MultiObserver(&rec)))
		Submit(c.DefaultQueue(), func(context.Context) (int, error) { return 1, nil }, Name("observed"))
		require.NoError(t, c.Run(context.Background()))
		require.NoError(t, c.Shutdown(context.Background()))
		want := append(append(a.Tasks(), b.Tasks()...), c.Tasks()...)
		require.Equal(t, want, rec.Tasks())
	})
}
