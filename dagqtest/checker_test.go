package dagqtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var bg = context.Background()

// requireViolation checks that the checker reported exactly one kind of
// problem, containing want.
func requireViolation(t *testing.T, c *dagqtest.Checker, want string) {
	t.Helper()
	v := c.Violations()
	require.NotEmpty(t, v, "expected a violation containing %q", want)
	require.Contains(t, strings.Join(v, "\n"), want)
}

func TestCheckerAcceptsALegalHistory(t *testing.T) {
	s := newSim(dagqtest.Limits{Queues: map[string]int{"q": 1}, Parallelism: 1})
	s.run(1, "q")
	s.deps[2] = []dagq.TaskID{1}
	s.run(2, "q")
	s.start(3, "q")
	s.move(3, "q", dagq.Running, dagq.Queued) // a retry
	s.move(3, "q", dagq.Queued, dagq.Running)
	s.move(3, "q", dagq.Running, dagq.Failed)
	s.move(4, "q", 0, dagq.Blocked)
	s.move(4, "q", dagq.Blocked, dagq.Failed) // refused at submission
	s.move(5, "q", 0, dagq.Blocked)
	s.move(5, "q", dagq.Blocked, dagq.Succeeded, func(e *dagq.Event) { e.Task.Cached = true })
	s.c.Observe(dagq.Event{Kind: dagq.RunIdle, Stats: dagq.Stats{Counts: s.counts}})
	require.Empty(t, s.c.Violations())
	s.c.Verify(t)
	require.Equal(t, 5, s.c.Tasks())
	require.Equal(t, []dagq.TaskID{1, 2, 3, 3}, s.c.Started())
	require.Equal(t, 1, s.c.MaxRunning(""))
	require.Positive(t, s.c.Checks())
	require.Equal(t, int64(19), s.c.Events())
}

func TestCheckerFindsViolations(t *testing.T) {
	cases := []struct {
		name string
		l    dagqtest.Limits
		feed func(s *sim)
		want string
	}{
		{"skipped status", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked)
			s.move(1, "q", dagq.Blocked, dagq.Running)
		}, "illegal transition blocked -> running"},
		{"uncached success without running", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked)
			s.move(1, "q", dagq.Blocked, dagq.Succeeded)
		}, "illegal transition blocked -> succeeded"},
		{"wrong from", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked)
			s.move(1, "q", dagq.Queued, dagq.Running)
		}, "task_started event from queued, but it was blocked"},
		{"wrong kind", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked, func(e *dagq.Event) { e.Kind = dagq.TaskQueued })
		}, "task_queued event for none -> blocked"},
		{"two terminal statuses", dagqtest.Limits{}, func(s *sim) {
			s.run(1, "q")
			s.move(1, "q", dagq.Succeeded, dagq.Killed)
		}, "reached a terminal status 2 times"},
		{"started before its dependency succeeded", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked)
			s.deps[2] = []dagq.TaskID{1}
			s.move(2, "q", 0, dagq.Blocked)
			s.move(2, "q", dagq.Blocked, dagq.Queued)
		}, "task 2 (all-succeeded) became ready with dependencies 1:blocked"},
		{"any-succeeded with no success", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked)
			s.move(1, "q", dagq.Blocked, dagq.Failed)
			s.deps[2] = []dagq.TaskID{1}
			any := func(e *dagq.Event) { e.Task.Trigger = dagq.AnySucceeded }
			s.move(2, "q", 0, dagq.Blocked, any)
			s.move(2, "q", dagq.Blocked, dagq.Queued, any)
		}, "task 2 (any-succeeded) became ready with dependencies 1:failed"},
		{"dependent not killed at once", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked)
			s.deps[2] = []dagq.TaskID{1}
			s.move(2, "q", 0, dagq.Blocked)
			s.move(1, "q", dagq.Blocked, dagq.Killed)
			s.run(3, "q")
		}, "task 3 started while 1 blocked tasks had their dependencies settled (e.g. task 2)"},
		{"queue over its size", dagqtest.Limits{Queues: map[string]int{"q": 1}}, func(s *sim) {
			s.start(1, "q")
			s.start(2, "q")
		}, "task 2 started: queue q runs 2 tasks, size 1"},
		{"over the global cap", dagqtest.Limits{Parallelism: 1}, func(s *sim) {
			s.start(1, "a")
			s.start(2, "b")
		}, "task 2 started: 2 tasks run, parallelism 1"},
		{"stats off", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked, func(e *dagq.Event) { e.Stats.Blocked = 2 })
		}, "task_submitted of task 1: Stats {Submitted:1 Blocked:2"},
		{"queue stats off", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked, func(e *dagq.Event) { e.Stats.Queues["q"] = dagq.Counts{} })
		}, "Stats of queue q {Submitted:0"},
		{"queues do not sum to the total", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked, func(e *dagq.Event) { e.Stats.Queues["other"] = dagq.Counts{Submitted: 1, Killed: 1} })
		}, "queues' counts sum to"},
		{"idle while pending", dagqtest.Limits{}, func(s *sim) {
			s.move(1, "q", 0, dagq.Blocked)
			s.c.Observe(dagq.Event{Kind: dagq.RunIdle, Stats: dagq.Stats{Counts: s.counts}})
		}, "RunIdle with 1 tasks pending"},
		{"event after RunStopped", dagqtest.Limits{}, func(s *sim) {
			s.c.Observe(dagq.Event{Kind: dagq.RunStopped})
			s.move(1, "q", 0, dagq.Blocked)
		}, "task_submitted after RunStopped"},
		{"unknown dependency", dagqtest.Limits{}, func(s *sim) {
			s.deps[2] = []dagq.TaskID{1}
			s.move(2, "q", 0, dagq.Blocked)
		}, "task 2 depends on task 1, never submitted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(tc.l)
			tc.feed(s)
			requireViolation(t, s.c, tc.want)
		})
	}
}

func TestCheckerAcceptsStreamItemsAndKeys(t *testing.T) {
	s := newSim(dagqtest.Limits{})
	s.start(1, "q") // a stream
	item := func(e *dagq.Event) { e.Kind = dagq.TaskItem }
	s.move(1, "q", dagq.Running, dagq.Running, item)
	s.deps[2] = []dagq.TaskID{1} // depends on an item: its Deps name the stream
	s.run(2, "q")
	s.deps[3] = []dagq.TaskID{1, 2}
	s.move(3, "q", 0, dagq.Blocked) // waits for a later item
	s.move(1, "q", dagq.Running, dagq.Failed)
	s.move(4, "q", 0, dagq.Blocked)
	s.deps[5] = []dagq.TaskID{4}
	s.move(5, "q", 0, dagq.Blocked, func(e *dagq.Event) { e.Task.Key = "k" })
	s.move(4, "q", dagq.Blocked, dagq.Killed) // 5 may adopt a twin's outcome instead
	s.move(2, "q", dagq.Succeeded, dagq.Succeeded, item)
	require.Len(t, s.c.Violations(), 1, "only the fake item event of a finished task")
	s.run(6, "q")
	require.Len(t, s.c.Violations(), 1, "items of a failed stream may be pending, keyed tasks may wait")
}

// recorder is a testing.TB that records Fatalf instead of stopping.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, a ...any) { r.msg = fmt.Sprintf(format, a...) }

func TestVerifyReportsPendingTasksAndViolations(t *testing.T) {
	s := newSim(dagqtest.Limits{})
	s.move(1, "q", 0, dagq.Blocked)
	s.move(2, "q", 0, dagq.Blocked)
	r := &recorder{TB: t}
	s.c.Verify(r)
	require.Contains(t, r.msg, "2 tasks never reached a terminal status (the first: task 1)")

	for id := dagq.TaskID(3); id < 60; id++ {
		s.move(id, "q", 0, dagq.Running)
	}
	require.Len(t, s.c.Violations(), 51)
	require.Equal(t, "... and 7 more violations", s.c.Violations()[50])
}

func TestSetSizeWindows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"q": 3}})
		s := dagq.New(dagq.WithObserver(c), dagq.WithParallelism(3))
		q, err := s.Queue("q", 3)
		require.NoError(t, err)
		release := make(chan struct{})
		for range 12 {
			dagq.Submit(q, func(ctx context.Context) (int, error) {
				<-release
				return 0, nil
			})
		}
		require.NoError(t, s.Start(bg))
		synctest.Wait()
		require.Error(t, c.SetSize(q, 0))
		require.NoError(t, c.SetSize(q, 1)) // three run: started before the change
		time.Sleep(time.Second)
		c.SetParallelism(s, 5)
		require.NoError(t, c.SetSize(q, 5))
		synctest.Wait()
		require.Equal(t, 5, q.Running())
		close(release)
		require.NoError(t, s.Wait(bg))
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
		require.Equal(t, 5, c.MaxRunning("q"))
	})
}

func TestCheckerOnARealRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{Queues: map[string]int{"a": 2, "b": 1}, Parallelism: 2})
		s := dagq.New(dagq.WithObserver(c), dagq.WithParallelism(2))
		a, _ := s.Queue("a", 2)
		b, _ := s.Queue("b", 1)
		boom := errors.New("boom")
		var fs []*dagq.Future[int]
		for i := range 40 {
			var deps []dagq.Dep
			if i > 1 {
				deps = append(deps, fs[i-1], fs[i/2])
			}
			q := []*dagq.Queue{a, b}[i%2]
			fs = append(fs, dagq.Submit(q, func(context.Context) (int, error) {
				time.Sleep(time.Millisecond)
				if i%13 == 12 {
					return 0, boom
				}
				return i, nil
			}, dagq.After(deps...), dagq.Trigger([]dagq.TriggerRule{dagq.AllSucceeded, dagq.AnySucceeded, dagq.AllDone}[i%3])))
		}
		require.ErrorIs(t, s.Run(bg), boom)
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
		require.Equal(t, 40, c.Tasks())
		require.LessOrEqual(t, c.MaxRunning(""), 2)
	})
}

// Changes made at the same instant (as in a synctest bubble) all hold for
// the events of that instant: a task started under the first is not
// checked against the last.
func TestSameInstantChangesAllHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := dagqtest.NewChecker(dagqtest.Limits{Parallelism: 1})
		s := dagq.New(dagq.WithObserver(c), dagq.WithParallelism(1))
		q, _ := s.Queue("q", 4)
		release := make(chan struct{})
		for range 4 {
			dagq.Submit(q, func(context.Context) (int, error) {
				<-release
				return 0, nil
			})
		}
		require.NoError(t, s.Start(bg))
		c.SetParallelism(s, 3) // two more start
		c.SetParallelism(s, 1)
		c.SetParallelism(s, 2)
		synctest.Wait()
		close(release)
		require.NoError(t, s.Wait(bg))
		require.NoError(t, s.Shutdown(bg))
		c.Verify(t)
		require.Equal(t, 3, c.MaxRunning(""))
	})
}
