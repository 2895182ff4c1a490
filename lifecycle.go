package dagq

import (
	"context"
	"errors"
	"fmt"
)

// Start begins dispatching. Tasks submitted before are started as their
// queues allow; tasks submitted after start as soon as they are ready.
// When ctx ends, every task not yet finished is killed, with a reason
// naming the context's error, and running tasks' contexts are cancelled;
// the scheduler then kills new tasks at once until Shutdown. Start does
// not block. A scheduler starts once and then runs until Shutdown, taking
// new tasks at any time; Start returns an error wrapping [ErrStarted] if
// it was already started (even if its ctx has ended since), and
// [ErrClosed] after Shutdown.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case stateClosed:
		return fmt.Errorf("dagq: start: %w", ErrClosed)
	case stateRunning, stateAborted:
		return fmt.Errorf("dagq: start: %w", ErrStarted)
	}
	s.state = stateRunning
	s.startCtx = ctx
	s.runCtx, s.runCancel = context.WithCancelCause(ctx)
	s.stopWatch = context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.abortLocked()
	})
	now := s.now()
	s.emitRunLocked(RunStarted, now)
	s.dispatchLocked(false)
	if s.counts.Pending() == 0 {
		s.emitRunLocked(RunIdle, now)
	}
	return nil
}

// Run starts the scheduler and waits for every task: Start, then Wait.
// An empty scheduler returns nil at once. On a scheduler already started,
// Run just waits: call it again after submitting more tasks to wait for
// them. ctx bounds the run only on the first call, which starts it; later
// calls wait until ctx ends, like Wait. Like Wait, Run reports every
// failure since New, so a failure of an earlier batch is reported again;
// read a batch's own futures (Get) to check it alone.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil && !errors.Is(err, ErrStarted) {
		return err
	}
	return s.Wait(ctx)
}

// Wait blocks until every submitted task is terminal and every event so
// far has been delivered to the observers (of New or AddObserver; Subscribe
// channels may lag). It returns nil if every task since New succeeded,
// and otherwise a [*RunError] that states the counts and wraps each failed
// task's [*TaskError]. If ctx ends first it returns ctx.Err().
//
// Wait may be called any number of times, from several goroutines, and
// before Start (it then waits for Start and the tasks). Its answer covers
// the scheduler's whole life, not the tasks submitted since the previous
// Wait: once a task failed, every later Wait reports it. To check one
// batch of a long-lived scheduler, wait for the batch's futures instead
// ([Future.Get]); [Scheduler.Stats] gives the counts.
func (s *Scheduler) Wait(ctx context.Context) error {
	s.mu.Lock()
	for s.counts.Pending() > 0 {
		if !s.idle.Wait(&s.mu, ctx.Done()) {
			s.mu.Unlock()
			return ctx.Err()
		}
	}
	err := s.runErrorLocked()
	sinks := s.observerSinksLocked()
	s.mu.Unlock()
	for _, k := range sinks {
		if e := k.drain(ctx); e != nil {
			return e
		}
	}
	return err
}

func (e *engine) runErrorLocked() error {
	if len(e.failed) == 0 && e.counts.Killed == 0 {
		return nil
	}
	errs := make([]error, 0, len(e.failed)+1)
	for _, n := range e.failed {
		errs = append(errs, n.taskError())
	}
	if e.firstKilled != nil {
		errs = append(errs, e.firstKilled.taskError())
	}
	return &RunError{Tasks: e.counts.Submitted, Failed: e.counts.Failed, Killed: e.counts.Killed, Errs: errs}
}

// graceLocked waits, up to the shutdown grace, for the workers of the
// tasks Shutdown just cancelled to return, and returns Shutdown's error:
// ctxErr, saying how many were abandoned if some are still running.
func (e *engine) graceLocked(ctxErr error) error {
	if e.busy > 0 && e.cfg.shutdownGrace > 0 {
		grace, stop := context.WithTimeout(context.Background(), e.cfg.shutdownGrace)
		e.awaitQuietLocked(grace.Done())
		stop()
	}
	return e.abandonedLocked(ctxErr)
}

// awaitQuietLocked waits, releasing the lock meanwhile, until no task runs
// or done is closed, and reports whether no task runs.
func (e *engine) awaitQuietLocked(done <-chan struct{}) bool {
	for e.busy > 0 {
		if !e.quiet.Wait(&e.mu, done) {
			return e.busy == 0
		}
	}
	return true
}

// abandonedLocked returns ctxErr, naming the tasks still running if any.
func (e *engine) abandonedLocked(ctxErr error) error {
	if e.busy == 0 {
		return ctxErr
	}
	return fmt.Errorf("dagq: shutdown: %w: %d cancelled tasks still running after the %v grace were abandoned", ctxErr, e.busy, e.cfg.shutdownGrace)
}

// abortLocked runs once Start's ctx has ended: every unfinished task is
// killed. Workers call it too, so that a task that returned because the run
// ended is reported killed, not failed, whoever gets the lock first.
func (e *engine) abortLocked() {
	if e.state != stateRunning {
		return
	}
	e.state = stateAborted
	e.killAllLocked("run context ended: "+context.Cause(e.startCtx).Error(), true, e.now())
}

// Shutdown stops the scheduler: it refuses new tasks (they fail with
// [ErrClosed]), kills tasks that have not started (reasons say whether they
// were blocked or queued), and waits for running tasks until ctx ends.
// Tasks still running then have their contexts cancelled and are killed
// ("killed while running"), and Shutdown waits up to [WithShutdownGrace]
// (default [DefaultShutdownGrace], 10 s) for their workers to return: an
// [Exec] task's process group gets its SIGTERM and, after [ExecGrace], its
// SIGKILL, so a program that exits when Shutdown returns leaves no
// process behind. When Shutdown returns, every event has been delivered
// to the observers, RunStopped last, and Subscribe channels are closed
// once drained; worker goroutines whose tasks honour their context have
// exited. Shutdown returns nil if the running tasks finished before ctx
// ended; else ctx's error, wrapped in one that says how many cancelled
// tasks were abandoned still running if the grace ran out. Calling it
// again waits for the first call.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.state == stateClosed {
		done := s.shutdown
		s.mu.Unlock()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.state = stateClosed
	s.shutdown = make(chan struct{})
	defer close(s.shutdown)
	if s.stopWatch != nil {
		s.stopWatch()
	}
	s.killStrandedLocked(s.now())
	s.killAllSlicedLocked("shutdown", false)
	s.stopRunsLocked()
	var err error
	if !s.awaitQuietLocked(ctx.Done()) {
		err = ctx.Err()
	}
	if err != nil {
		s.killAllLocked("shutdown", true, s.now())
		err = s.graceLocked(err)
	}
	if s.runCancel != nil {
		s.runCancel(fmt.Errorf("%w: shutdown", ErrKilled))
	}
	s.emitRunLocked(RunStopped, s.now())
	sinks := s.sinks
	s.sinks, s.filters = nil, 0
	s.mu.Unlock()
	for _, k := range sinks {
		k.close(ctx)
	}
	return err
}
