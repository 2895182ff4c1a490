package dagq

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Strategy paces when a queue releases its tasks, as guidellm's scheduling
// strategies do: it gives the release time of each task, counted from the
// queue's start, and a limit on how many of the queue's tasks run at once.
// Give one to a queue with [WithStrategy]. The built-in strategies are
// [Synchronous], [Concurrent], [Throughput], [Constant] and [Poisson];
// implement Strategy to pace a queue another way.
//
// A Strategy value only describes a pacing: it may be given to several
// queues, each of which asks it for a schedule of its own.
type Strategy interface {
	// Limit returns how many of the queue's tasks may run at once under
	// the strategy, on top of the queue's size; 0 means no limit of its
	// own. A negative limit is an error reported by [Scheduler.Queue].
	Limit() int

	// Releases checks the strategy's parameters and returns the release
	// schedule of one run of a queue: the k-th call of next returns the
	// offset, from the queue's start, at which the k-th task of the queue
	// (k = 0, 1, ...) may start. rampup is the queue's [Rampup] (0 when
	// none); strategies without a ramp may ignore it. Offsets need not
	// grow, but a task is never released before the previous one.
	// [Scheduler.Queue] calls Releases when a queue is asked for, and
	// reports its error; next is then called with the scheduler's lock
	// held, once per released task, so it must be fast and must not call
	// the scheduler.
	Releases(rampup time.Duration) (next func() time.Duration, err error)

	// String names the strategy as guidellm displays it, such as
	// "constant@10.00".
	String() string
}

// Synchronous runs one task at a time, each released as soon as the
// previous one finished: guidellm's "synchronous". It prints as
// "synchronous".
func Synchronous() Strategy { return synchronous{} }

// Concurrent runs streams tasks at once, each released as soon as a slot
// frees: guidellm's "concurrent". With [Rampup](d) the first streams tasks
// are spread linearly over d (task k at d·k/streams). It prints as
// "concurrent@<streams>"; streams < 1 is an error reported by
// [Scheduler.Queue].
func Concurrent(streams int) Strategy { return concurrent{streams} }

// Throughput releases every task at once, running at most maxConcurrency
// at a time (0 = no limit beyond the queue's size): guidellm's
// "throughput". With [Rampup](d) and a limit, the first maxConcurrency
// tasks are spread linearly over d (task k at d·k/maxConcurrency) and the
// others wait for d. It prints as "throughput@<maxConcurrency>" or
// "throughput@unlimited"; a negative maxConcurrency is an error reported
// by [Scheduler.Queue].
func Throughput(maxConcurrency int) Strategy { return throughput{maxConcurrency} }

// Constant releases rate tasks per second at even intervals: task k at
// start + k/rate. With initialBurst, floor(rate) tasks (at least one) are
// released at start to reach the rate at once, and the schedule goes on at
// start + k/rate for k ≥ 1; without it there is no burst. With [Rampup](d)
// the rate grows linearly from 0 to rate over d: task n ≤ rate·d/2 is
// released at start + sqrt(2·n·d/rate), later ones at start + n/rate + d/2.
// It prints as "constant@<rate>" with two decimals; a rate that is not a
// finite number above 0 is an error reported by [Scheduler.Queue].
func Constant(rate float64, initialBurst bool) Strategy {
	return rateStrategy{rate: rate, burst: initialBurst}
}

// Poisson releases tasks at rate per second on average, with exponentially
// distributed intervals (mean 1/rate): a Poisson process, guidellm's
// "poisson". The first task is released at start (with initialBurst,
// floor(rate) tasks, at least one). The same seed gives the same times.
// [Rampup](d) ramps the rate up linearly over d, as for [Constant]. It
// prints as "poisson@<rate>" with two decimals; a rate that is not a
// finite number above 0 is an error reported by [Scheduler.Queue].
func Poisson(rate float64, initialBurst bool, seed int64) Strategy {
	return rateStrategy{poisson: true, rate: rate, burst: initialBurst, seed: seed}
}

type synchronous struct{}

func (synchronous) Limit() int       { return 1 }
func (synchronous) String() string   { return "synchronous" }
func (synchronous) GoString() string { return "Synchronous()" }
func (synchronous) Releases(time.Duration) (func() time.Duration, error) {
	return func() time.Duration { return 0 }, nil
}

type concurrent struct{ streams int }

func (c concurrent) Limit() int       { return c.streams }
func (c concurrent) String() string   { return "concurrent@" + strconv.Itoa(c.streams) }
func (c concurrent) GoString() string { return "Concurrent(" + strconv.Itoa(c.streams) + ")" }
func (c concurrent) Releases(rampup time.Duration) (func() time.Duration, error) {
	if c.streams < 1 {
		return nil, fmt.Errorf("Concurrent(%d): want at least 1 stream", c.streams)
	}
	return spread(c.streams, rampup, 0), nil
}

type throughput struct{ max int }

func (t throughput) Limit() int       { return t.max }
func (t throughput) GoString() string { return "Throughput(" + strconv.Itoa(t.max) + ")" }
func (t throughput) String() string {
	if t.max == 0 {
		return "throughput@unlimited"
	}
	return "throughput@" + strconv.Itoa(t.max)
}
func (t throughput) Releases(rampup time.Duration) (func() time.Duration, error) {
	if t.max < 0 {
		return nil, fmt.Errorf("Throughput(%d): want a concurrency ≥ 0 (0 = unlimited)", t.max)
	}
	if t.max == 0 {
		return spread(1, 0, 0), nil
	}
	return spread(t.max, rampup, rampup), nil
}

// spread releases the first n tasks linearly over rampup (task k at
// rampup·k/n) and the others at after.
func spread(n int, rampup, after time.Duration) func() time.Duration {
	k := 0
	return func() time.Duration {
		if k >= n || rampup == 0 {
			return after
		}
		d := rampup * time.Duration(k) / time.Duration(n)
		k++
		return d
	}
}

// rateStrategy is Constant, or Poisson when poisson is set.
type rateStrategy struct {
	poisson bool
	rate    float64
	burst   bool
	seed    int64
}

func (r rateStrategy) Limit() int { return 0 }

func (r rateStrategy) name() string {
	if r.poisson {
		return "Poisson"
	}
	return "Constant"
}

func (r rateStrategy) String() string {
	return fmt.Sprintf("%s@%.2f", strings.ToLower(r.name()), r.rate)
}

// GoString shows every parameter, as the call that made r.
func (r rateStrategy) GoString() string {
	if r.poisson {
		return fmt.Sprintf("Poisson(%v, %v, %d)", r.rate, r.burst, r.seed)
	}
	return fmt.Sprintf("Constant(%v, %v)", r.rate, r.burst)
}

func (r rateStrategy) Releases(rampup time.Duration) (func() time.Duration, error) {
	if math.IsNaN(r.rate) || math.IsInf(r.rate, 0) || r.rate <= 0 {
		return nil, fmt.Errorf("%s(%v): want a finite rate > 0 (tasks per second)", r.name(), r.rate)
	}
	// The first burst tasks go at the start (burst is 1 without one).
	burst := 1
	if r.burst {
		burst = int(max(1, math.Floor(min(r.rate, math.MaxInt32))))
	}
	k, at := 0, 0.0 // at: the release of task k, in seconds
	if !r.poisson {
		return func() time.Duration {
			at = float64(max(k-burst+1, 0)) / r.rate
			k++
			return ramp(at, rampup)
		}, nil
	}
	rng := rand.New(rand.NewPCG(uint64(r.seed), 0x9e3779b97f4a7c15))
	return func() time.Duration {
		if k >= burst {
			at += rng.ExpFloat64() / r.rate
		}
		k++
		return ramp(at, rampup)
	}, nil
}

// ramp maps the offset u (seconds) of a steady schedule onto a schedule
// whose rate grows linearly from 0 over rampup: a release of the steady
// schedule at u moves to sqrt(2·u·rampup) while u ≤ rampup/2, and to
// u + rampup/2 after, so that the rate is reached at rampup exactly.
func ramp(u float64, rampup time.Duration) time.Duration {
	u, d := u*float64(time.Second), float64(rampup)
	switch {
	case d == 0:
	case u <= d/2:
		u = math.Sqrt(2 * u * d)
	default:
		u += d / 2
	}
	return time.Duration(math.Round(u))
}
