package dagq_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dagq/dagq"
)

// A resource pool caps what tasks of every queue hold at once: here two
// 8-unit tasks never run together on a 12-unit pool, wherever they queue.
func ExampleWithResource() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithResource("gpu-ram", 12), dagq.WithObserver(o))
	defer s.Shutdown(ctx)
	q, _ := s.Queue("train", 4)
	for _, name := range []string{"big-1", "small", "big-2"} {
		need := 8
		if name == "small" {
			need = 4
		}
		dagq.Submit(q, func(context.Context) (int, error) { return need, nil },
			dagq.Name(name), dagq.Uses("gpu-ram", need))
	}
	fmt.Println(s.Run(ctx))
	_, err := dagq.Submit(q, func(context.Context) (int, error) { return 0, nil }, dagq.Uses("gpu-ram", 13)).Get(ctx)
	fmt.Println(err)
	// Output:
	// <nil>
	// dagq: task id 4 failed: submit: uses 13 of pool "gpu-ram", which holds 12
}

// Retry runs a failing task again after a back-off that doubles per
// attempt; Attempts counts the runs.
func ExampleRetry() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	calls := 0
	f := dagq.Submit(s.DefaultQueue(), func(context.Context) (string, error) {
		if calls++; calls < 3 {
			return "", errors.New("flaky")
		}
		return "ok", nil
	}, dagq.Retry(3, time.Millisecond))
	_ = s.Run(ctx)
	v, err := f.Get(ctx)
	fmt.Println(v, err, f.Info().Attempts)
	// Output: ok <nil> 3
}

// Timeout bounds each attempt: the task's context ends with
// context.DeadlineExceeded and the task fails.
func ExampleTimeout() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	f := dagq.Submit(s.DefaultQueue(), func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, context.Cause(ctx)
	}, dagq.Timeout(10*time.Millisecond))
	_ = s.Run(ctx)
	_, err := f.Get(ctx)
	fmt.Println(errors.Is(err, context.DeadlineExceeded), f.Status())
	// Output: true failed
}

// Cancel kills one task with a reason; its dependents are killed at once,
// each naming the culprit.
func ExampleScheduler_Cancel() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q := s.DefaultQueue()
	slow := dagq.Submit(q, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	}, dagq.Name("slow"))
	next := dagq.Then(q, slow, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("next"))
	_ = s.Start(ctx)
	s.Cancel(slow.ID(), "no longer needed")
	_ = s.Wait(ctx)
	fmt.Println(slow.Status(), slow.Info().Reason)
	fmt.Println(next.Status(), next.Info().Reason)
	// Output:
	// killed cancelled: no longer needed
	// killed dependency "slow" (id 1) killed: cancelled: no longer needed
}

// Pause stops dispatching (running tasks go on); Resume starts what
// became ready meanwhile.
func ExampleScheduler_Pause() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	s.Pause()
	f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 1, nil })
	_ = s.Start(ctx)
	fmt.Println(f.Status(), s.Stats().Queued)
	s.Resume()
	fmt.Println(s.Wait(ctx), f.Status())
	// Output:
	// queued 1
	// <nil> succeeded
}

// Trigger(AllDone) runs a cleanup task whatever its dependencies' outcome;
// AnySucceeded needs one of them.
func ExampleTrigger() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q := s.DefaultQueue()
	fails := dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("boom") })
	works := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil })
	cleanup := dagq.Submit(q, func(context.Context) (string, error) { return "cleaned", nil },
		dagq.After(fails, works), dagq.Trigger(dagq.AllDone))
	either := dagq.Submit(q, func(context.Context) (string, error) { return "one was enough", nil },
		dagq.After(fails, works), dagq.Trigger(dagq.AnySucceeded))
	_ = s.Run(ctx)
	fmt.Println(cleanup.Get(ctx))
	fmt.Println(either.Get(ctx))
	// Output:
	// cleaned <nil>
	// one was enough <nil>
}

// WithFailFast kills everything not yet finished after the first failure.
func ExampleWithFailFast() {
	ctx := context.Background()
	s := dagq.New(dagq.WithFailFast())
	defer s.Shutdown(ctx)
	q, _ := s.Queue("serial", 1)
	dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("boom") }, dagq.Name("first"))
	later := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("later"))
	err := s.Run(ctx)
	fmt.Println(later.Status(), later.Info().Reason)
	var re *dagq.RunError
	fmt.Println(errors.As(err, &re), re.Failed, re.Killed)
	// Output:
	// killed fail-fast after task "first" (id 1) failed: killed while queued
	// true 1 1
}

// CriticalPath starts first the task with the longest remaining path
// (its Cost plus its longest chain of dependents).
func ExampleCriticalPath() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithObserver(o))
	defer s.Shutdown(ctx)
	q, _ := s.Queue("one", 1, dagq.WithQueuePolicy(dagq.CriticalPath()))
	task := func(name string, cost float64, deps ...dagq.Dep) *dagq.Future[int] {
		return dagq.Submit(q, func(context.Context) (int, error) { return 0, nil },
			dagq.Name(name), dagq.Cost(cost), dagq.After(deps...))
	}
	task("lint", 2)
	compile := task("compile", 3)
	task("link", 4, compile)
	task("docs", 5)
	_ = s.Run(ctx)
	fmt.Println(o)
	// Output: compile docs link lint
}

// ShortestFirst starts the cheapest ready task first.
func ExampleShortestFirst() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithObserver(o))
	defer s.Shutdown(ctx)
	q, _ := s.Queue("one", 1, dagq.WithQueuePolicy(dagq.ShortestFirst()))
	for _, t := range []struct {
		name string
		cost float64
	}{{"long", 9}, {"short", 1}, {"medium", 4}} {
		dagq.Submit(q, func(context.Context) (int, error) { return 0, nil }, dagq.Name(t.name), dagq.Cost(t.cost))
	}
	_ = s.Run(ctx)
	fmt.Println(o)
	// Output: short medium long
}

// ByPriority with aging: a waiting task gains one priority level per
// aging period, so an old low-priority task eventually overtakes.
func ExampleByPriority() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithObserver(o))
	defer s.Shutdown(ctx)
	q, _ := s.Queue("one", 1, dagq.WithQueuePolicy(dagq.ByPriority(time.Hour)))
	for _, t := range []struct {
		name string
		prio int
	}{{"low", 0}, {"urgent", 5}, {"normal", 2}} {
		dagq.Submit(q, func(context.Context) (int, error) { return 0, nil }, dagq.Name(t.name), dagq.Priority(t.prio))
	}
	_ = s.Run(ctx)
	fmt.Println(o)
	// Output: urgent normal low
}

// MaxErrors stops a queue after n failures: what still waits is killed
// with a reason naming the limit.
func ExampleMaxErrors() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, _ := s.Queue("requests", 1, dagq.MaxErrors(2))
	var last *dagq.Future[int]
	for range 4 {
		last = dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("503") })
	}
	_ = s.Run(ctx)
	st := s.Stats()
	fmt.Println(st.Failed, st.Killed, strings.Contains(last.Info().Reason, "MaxErrors"))
	// Output: 2 2 true
}

// Rampup spreads a Concurrent strategy's first releases over d instead of
// releasing every stream at once.
func ExampleRampup() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q, err := s.Queue("load", 4, dagq.WithStrategy(dagq.Concurrent(4)), dagq.Rampup(40*time.Millisecond))
	fmt.Println(err)
	start := time.Now()
	var last *dagq.Future[int]
	for range 4 {
		last = dagq.Submit(q, func(context.Context) (int, error) { return 0, nil })
	}
	_ = s.Run(ctx)
	fmt.Println(last.Info().Targeted.Sub(start) >= 30*time.Millisecond)
	_, err = s.Queue("bad", 1, dagq.Rampup(time.Second))
	fmt.Println(err != nil)
	// Output:
	// <nil>
	// true
	// true
}

// MultiObserver fans events out to several observers; a panic in one does
// not keep the event from the others.
func ExampleMultiObserver() {
	ctx := context.Background()
	var finished, items int
	count := dagq.ObserverFunc(func(e dagq.Event) {
		if e.Kind == dagq.TaskFinished {
			finished++
		}
	})
	panics := dagq.ObserverFunc(func(dagq.Event) { panic("observer bug") })
	streams := dagq.ObserverFunc(func(e dagq.Event) {
		if e.Kind == dagq.TaskItem {
			items++
		}
	})
	s := dagq.New(dagq.WithObserver(dagq.MultiObserver(count, panics, streams)))
	dagq.SubmitStream(s.DefaultQueue(), func(_ context.Context, emit func(int) error) error {
		for i := range 3 {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	_ = s.Run(ctx)
	_ = s.Shutdown(ctx)
	fmt.Println(finished, items)
	// Output: 1 3
}

// WriteTimeline draws a run as a self-contained HTML page.
func ExampleWriteTimeline() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	q := s.DefaultQueue()
	a := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("fetch"))
	dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name("build"))
	_ = s.Run(ctx)
	var page bytes.Buffer
	fmt.Println(dagq.WriteTimeline(&page, s.Tasks()))
	fmt.Println(strings.HasPrefix(page.String(), "<!DOCTYPE html>"), strings.Contains(page.String(), "build"))
	// Output:
	// <nil>
	// true true
}
