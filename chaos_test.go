package dagq_test

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

var (
	full       = flag.Bool("chaos.full", false, "run the reliability tests at full size (100,000 chaos tasks, 1e6 tasks for memory)")
	chaosSeed  = flag.Uint64("chaos.seed", 0, "seed of the chaos test (0: a new one, logged)")
	chaosModes = []struct {
		name          string
		tasks, fullN  int
		abort, finish bool // cancel the run's ctx / Shut down, a third of the way in
		sliced        bool // propagate in slices of 2 edges
	}{
		{name: "drain", tasks: 10_000, fullN: 100_000},
		{name: "ctx-cancel", tasks: 3000, fullN: 20_000, abort: true},
		{name: "shutdown", tasks: 3000, fullN: 20_000, finish: true},
		// Every end of a task propagates in slices of 2 edges, through the
		// backlog and its goroutine, the lock released between slices.
		{name: "sliced", tasks: 5000, fullN: 50_000, sliced: true},
		{name: "sliced-shutdown", tasks: 3000, fullN: 20_000, finish: true, sliced: true},
	}
)

// TestChaos runs random DAGs over three queues on three backends with the
// invariant checker attached, while injecting failures (5%), panics (1%)
// and flaky tasks that succeed on retry (3%), random Cancel calls,
// Pause/Resume, SetParallelism and Queue.SetSize changes, spec graphs
// added through Add, and submissions from several goroutines while the
// scheduler runs. The modes end the run by draining it, by cancelling its
// context, or by Shutdown while work is still being submitted.
// -chaos.full runs the full sizes.
func TestChaos(t *testing.T) {
	seed := *chaosSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -chaos.seed %d)", seed, seed)
	for _, m := range chaosModes {
		n := m.tasks
		if *full {
			n = m.fullN
		}
		t.Run(m.name, func(t *testing.T) {
			if m.sliced {
				dagq.SliceEdges(2)
				defer dagq.SliceEdges(0)
			}
			var r chaosResult
			start := time.Now()
			synctest.Test(t, func(t *testing.T) { r = runChaos(t, seed, n, m.abort, m.finish) })
			t.Logf("%s: %d tasks (%d specs), %d failures and %d panics injected, %d busy answers, %d cancels, %d pauses, %d resizes; %d events, %d invariant checks; %v",
				m.name, n, r.in.specs.Load(), r.in.failures.Load(), r.in.panics.Load(), r.busy, r.in.cancels.Load(),
				r.in.pauses.Load(), r.in.resizes.Load(), r.events, r.checks, time.Since(start).Round(time.Millisecond))
		})
	}
}

type chaosResult struct {
	in             *injected
	busy           int64
	events, checks int64
}

func runChaos(t *testing.T, seed uint64, n int, abort, finish bool) chaosResult {
	const submitters = 4
	lanes := chaosLanes(seed)
	limits := dagqtest.Limits{Queues: map[string]int{}, Parallelism: 6}
	opts := []dagq.Option{dagq.WithParallelism(6), dagq.WithResource("mem", 3)}
	for _, l := range lanes {
		limits.Queues[l.queue] = l.size
		if l.backend != nil {
			opts = append(opts, dagq.WithBackend(l.queue, l.backend))
		}
	}
	c := dagqtest.NewChecker(limits)
	s := dagq.New(append(opts, dagq.WithObserver(c))...)
	defer func() { // ends a failed run
		ctx, cancel := context.WithTimeout(bg, time.Minute)
		defer cancel()
		_ = s.Shutdown(ctx)
	}()
	queues := make([]*dagq.Queue, len(lanes))
	for i, l := range lanes {
		var err error
		queues[i], err = s.Queue(l.queue, l.size)
		require.NoError(t, err)
	}

	in := &injected{}
	g := &chaosGraph{}
	var submitted atomic.Int64
	rng := rand.New(rand.NewPCG(seed, 0))
	for range n / 20 { // some work before Start
		in.submitOne(rng, g, lanes, queues, int(submitted.Add(1)))
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	require.NoError(t, s.Start(ctx))

	var closed, draining atomic.Bool
	var work sync.WaitGroup
	for w := range submitters {
		work.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w+1)))
			for submitted.Load() < int64(n) {
				for range 1 + rng.IntN(20) {
					in.submitOne(rng, g, lanes, queues, int(submitted.Add(1)))
				}
				if rng.IntN(8) == 0 {
					if err := in.addSpecs(s, g, w, int(submitted.Load())); err != nil && !(closed.Load() && errors.Is(err, dagq.ErrClosed)) {
						t.Errorf("Add: %v", err)
					}
				}
				time.Sleep(time.Duration(rng.IntN(1000)) * time.Microsecond)
			}
		})
	}
	stop := make(chan struct{})
	var control sync.WaitGroup
	stopControl := sync.OnceFunc(func() {
		close(stop)
		control.Wait()
	})
	defer stopControl()
	control.Go(func() {
		rng := rand.New(rand.NewPCG(seed, 99))
		ended := false
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(rng.IntN(200)) * time.Microsecond):
			}
			if !ended && submitted.Load() > int64(n/3) && (abort || finish) {
				ended = true
				if abort {
					cancel()
				} else {
					closed.Store(true)
					if err := s.Shutdown(bg); err != nil {
						t.Errorf("Shutdown: %v", err)
					}
				}
			}
			in.disturb(rng, s, c, queues, submitted.Load(), !draining.Load())
		}
	})
	work.Wait()
	draining.Store(true)
	// Disturbed until the end, but no longer cancelled, the run must end
	// well within this (virtual) time: a stalled run fails.
	wctx, wcancel := context.WithTimeout(bg, time.Minute)
	defer wcancel()
	err := s.Wait(wctx)
	require.NotErrorIs(t, err, context.DeadlineExceeded, "the run stalled: %+v", s.Stats())
	stopControl()
	require.NoError(t, s.Shutdown(bg))
	c.Verify(t)
	st := s.Stats()
	require.Zero(t, st.Pending())
	require.Equal(t, st.Submitted, c.Tasks())
	if st.Failed+st.Killed > 0 {
		require.Error(t, err)
	}
	failed := checkChaosTasks(t, g.tasks, finish)
	require.Equal(t, failed, st.Failed, "every Failed task is one whose failure was injected")
	for _, l := range lanes {
		if sl, ok := l.backend.(*slots); ok {
			require.Zero(t, sl.inUse, "every device slot was released")
		}
	}
	r := chaosResult{in: in, events: c.Events(), checks: c.Checks()}
	for _, l := range lanes {
		if f, ok := l.backend.(*flaky); ok {
			r.busy += f.busy.Load()
		}
	}
	return r
}

// disturb does one random thing to a running scheduler (a Cancel only if
// cancels is set).
func (in *injected) disturb(rng *rand.Rand, s *dagq.Scheduler, c *dagqtest.Checker, queues []*dagq.Queue, submitted int64, cancels bool) {
	switch r := rng.IntN(100); {
	case r < 10 && cancels:
		in.cancels.Add(1)
		s.Cancel(dagq.TaskID(1+rng.Int64N(submitted+1)), "chaos")
	case r < 15:
		in.pauses.Add(1)
		s.Pause()
		time.Sleep(time.Duration(rng.IntN(300)) * time.Microsecond)
		s.Resume()
	case r < 40:
		in.resizes.Add(1)
		c.SetParallelism(s, rng.IntN(9))
	case r < 70:
		in.resizes.Add(1)
		_ = c.SetSize(queues[rng.IntN(len(queues))], 1+rng.IntN(5)) // a valid size
	}
}

// checkChaosTasks checks every task's outcome against its fate and returns
// how many Failed.
func checkChaosTasks(t *testing.T, tasks []chaosTask, closed bool) (failed int) {
	t.Helper()
	for _, ct := range tasks {
		st := ct.f.Status()
		v, err := ct.f.Get(bg)
		switch st {
		case dagq.Succeeded:
			require.Contains(t, []fate{succeed, flakes}, ct.fate, "task %d succeeded", ct.f.ID())
			require.Equal(t, ct.want, v, "task %d's value", ct.f.ID())
		case dagq.Failed:
			if ct.f.ID() == 0 {
				require.True(t, closed && errors.Is(err, dagq.ErrClosed), "task refused: %v", err)
				continue
			}
			failed++
			var pe *dagq.PanicError
			switch ct.fate {
			case fail:
				require.ErrorIs(t, err, errInjected)
			case panics:
				require.ErrorAs(t, err, &pe)
			default:
				require.Failf(t, "task failed", "task %d (fate %d): %v", ct.f.ID(), ct.fate, err)
			}
		case dagq.Killed:
			require.ErrorIs(t, err, dagq.ErrKilled)
			require.NotEmpty(t, ct.f.Info().Reason)
		default:
			require.Failf(t, "task not terminal", "task %d is %v", ct.f.ID(), st)
		}
	}
	return failed
}
