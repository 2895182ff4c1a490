package dagq

import (
	"context"
	"iter"
	"slices"
	"sync/atomic"
)

// Result is the outcome of one request run by [Feed]: the request, the
// value and error of its task (Err is the task's [*TaskError] when it did
// not succeed), and the task's snapshot with its times (Targeted,
// Dispatched, Started, Finished...) once terminal.
type Result[R, T any] struct {
	Request R
	Value   T
	Err     error
	Info    TaskInfo
}

// feedAhead is how many of a feed's tasks may wait for their release time
// at once: the feed pulls a request from its source only when fewer wait.
const feedAhead = 8

// Feed runs fn on queue q for each request of src, pulling requests
// lazily at the pace of q's strategy, and returns the sequence of results
// in the order the tasks finish. It is the load generator of guidellm's
// scheduler: give q a [Strategy] and limits ([MaxTasks], [MaxDuration],
// [MaxErrors]), start the scheduler, and range over the results.
//
// src may be unbounded. Feed pulls a request only when fewer than a few
// (8) of its tasks wait for their release and fewer than the queue's
// concurrency (its size, or its strategy's limit if smaller) plus 8 are
// outstanding, results not yet yielded included; so memory stays bounded
// and requests are pulled only as fast as the strategy releases them.
//
// The sequence ends when src is exhausted and every task has been yielded,
// or when q's run ends (a limit was reached; the results of the tasks it
// killed or let finish are yielded, with their errors), or when the
// scheduler is shut down or its run context ends. When ctx ends, or the
// consumer stops iterating, Feed stops pulling, cancels its tasks that
// have not finished (their results are not yielded) and returns once they
// are all terminal. Feed starts no goroutine: the scheduler posts each of
// its tasks to it when the task is terminal.
//
// Tasks take opts as [Submit] does; a nil q yields one result whose Err is
// a [*SubmitError]. Iterating the sequence blocks between results, on the
// iterating goroutine; each iteration pulls from src afresh. The
// scheduler must be started for tasks to run. Cost: per request, a task
// (as [Submit]) and a map entry while it is outstanding.
func Feed[R, T any](ctx context.Context, q *Queue, src iter.Seq[R], fn func(context.Context, R) (T, error), opts ...TaskOption) iter.Seq[Result[R, T]] {
	return func(yield func(Result[R, T]) bool) {
		f := newFeed[R, T](ctx, q)
		if f.more() {
			for r := range src {
				f.submit(r, fn, opts)
				if !f.wait(yield) || !f.more() {
					break
				}
			}
		}
		f.drain(yield)
	}
}

// feedTo is the option that makes a task a Feed's: the scheduler posts it
// to done, with its lock held, when it becomes terminal. done has room for
// every live task of the feed, so that never blocks.
type feedTo chan<- *node

func (o feedTo) applyTask(c *taskConfig) { c.feed = o }

// feed is the state of one iteration of a Feed sequence. Only the
// iterating goroutine touches it, except the channels and waiting.
type feed[R, T any] struct {
	ctx    context.Context
	q      *Queue
	window int // most outstanding tasks
	budget int // most tasks to submit (MaxTasks); < 0 for no limit
	live   map[*node]*feedTask[R, T]
	done   chan *node // tasks that became terminal, in that order
	quit   bool       // ctx ended or the consumer stopped

	// Shared with the tasks' bodies.
	waiting atomic.Int64  // live tasks that have not started
	kick    chan struct{} // a task started (capacity 1, never blocks)
}

type feedTask[R, T any] struct {
	req   R
	f     *Future[T]
	began atomic.Bool // started, or finished without starting
}

func newFeed[R, T any](ctx context.Context, q *Queue) *feed[R, T] {
	f := &feed[R, T]{ctx: ctx, q: q, window: 1 + feedAhead, budget: 1, live: map[*node]*feedTask[R, T]{}}
	if q != nil { // else one request is pulled, to report the nil queue
		f.budget = -1
		q.s.mu.Lock()
		conc := q.size
		if r := q.run; r != nil {
			if r.limit > 0 {
				conc = min(conc, r.limit)
			}
			if r.maxTasks > 0 {
				f.budget = max(r.maxTasks-r.released, 0)
			}
		}
		q.s.mu.Unlock()
		f.window = conc + feedAhead
	}
	f.done = make(chan *node, f.window)
	f.kick = make(chan struct{}, 1)
	return f
}

// more reports whether the feed may pull another request: the queue is
// open and its run goes on, the MaxTasks budget is not spent, and ctx has
// not ended.
func (f *feed[R, T]) more() bool {
	if f.quit || f.ctx.Err() != nil || f.budget == 0 {
		return false
	}
	if f.q == nil {
		return true
	}
	s := f.q.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return (s.state == stateNew || s.state == stateRunning) && s.endedLocked(f.q) == ""
}

// submit adds the task of request r. The scheduler sends its node to
// f.done once it is terminal: the channel has room for every live task.
func (f *feed[R, T]) submit(r R, fn func(context.Context, R) (T, error), opts []TaskOption) {
	t := &feedTask[R, T]{req: r, f: &Future[T]{}}
	t.f.body = func(ctx context.Context) (err error) {
		if f.begin(t) {
			select {
			case f.kick <- struct{}{}:
			default:
			}
		}
		t.f.value, err = fn(ctx, r) // Get ignores the value unless Succeeded
		return err
	}
	f.budget--
	f.waiting.Add(1)
	f.live[&t.f.node] = t
	submit(f.q, &t.f.node, t.f, nil, append(slices.Clip(opts), feedTo(f.done)))
	if t.f.ID() == 0 {
		f.done <- &t.f.node // refused before entering a scheduler
	}
}

// begin takes t out of the waiting count, once.
func (f *feed[R, T]) begin(t *feedTask[R, T]) bool {
	if !t.began.CompareAndSwap(false, true) {
		return false
	}
	f.waiting.Add(-1)
	return true
}

// wait yields finished tasks until another request may be pulled. It
// reports false when ctx ended or the consumer stopped.
func (f *feed[R, T]) wait(yield func(Result[R, T]) bool) bool {
	for !f.quit && (len(f.live) >= f.window || f.waiting.Load() >= feedAhead) {
		f.step(yield)
	}
	return !f.quit
}

// drain yields the remaining tasks as they finish or, if ctx ends or the
// consumer stops, cancels them. It returns once every task is terminal.
func (f *feed[R, T]) drain(yield func(Result[R, T]) bool) {
	for len(f.live) > 0 && !f.quit {
		f.step(yield)
	}
	if len(f.live) == 0 {
		return
	}
	why := "feed stopped: consumer stopped iterating"
	if err := context.Cause(f.ctx); err != nil {
		why = "feed stopped: " + err.Error()
	}
	for _, t := range f.live {
		f.q.s.cancel(t.f.ID(), why)
	}
	for len(f.live) > 0 {
		delete(f.live, <-f.done)
	}
}

// step waits for one event: a task started, a task finished (yielded to
// the consumer), or ctx ended.
func (f *feed[R, T]) step(yield func(Result[R, T]) bool) {
	select {
	case <-f.kick:
	case n := <-f.done:
		t := f.live[n]
		delete(f.live, n)
		f.begin(t)
		v, err := t.f.Get(context.Background())
		if !yield(Result[R, T]{Request: t.req, Value: v, Err: err, Info: t.f.Info()}) {
			f.quit = true
		}
	case <-f.ctx.Done():
		f.quit = true
	}
}
