package dagqtest

import (
	"math"
	"sync"
	"time"

	"github.com/dagq/dagq"
)

// Limits are the concurrency bounds a [Checker] enforces: at no event may
// more tasks be Running than these allow.
type Limits struct {
	// Queues maps a queue's name to its size. Queues not listed are not
	// checked (the default queue's size is GOMAXPROCS at New).
	Queues map[string]int
	// Parallelism is the scheduler's global cap, as given to
	// dagq.WithParallelism; 0 checks nothing.
	Parallelism int
}

// unlimited stands for "no bound" in a bound's history.
const unlimited = math.MaxInt

// bound is one limit and its changes over time. A change is in force for
// events after the call that made it returned, and the larger of the old
// and new limits holds for events during the call (or at its instant): a task started just
// before a lowering, whose event arrives after it, is not a violation, and
// a task started under a raised limit is never checked against the old one.
type bound struct {
	initial int
	changes []change
}

type change struct {
	from, to time.Time // the call that made it
	pending  bool      // the call has not returned
	old, new int
}

func newBound(n int) *bound {
	if n <= 0 {
		n = unlimited
	}
	return &bound{initial: n}
}

// current returns the limit once every change has taken effect.
func (b *bound) current() int {
	if len(b.changes) == 0 {
		return b.initial
	}
	return b.changes[len(b.changes)-1].new
}

// at returns the limit in force for an event at time t: the largest of
// the limits of every change whose call t falls in (several, when they
// were made at the same instant) and of the limit before them.
func (b *bound) at(t time.Time) int {
	limit := 0
	for i := len(b.changes) - 1; i >= 0; i-- {
		c := b.changes[i]
		if c.from.After(t) {
			continue
		}
		if !c.pending && t.After(c.to) {
			return max(limit, c.new)
		}
		limit = max(limit, c.old, c.new)
	}
	return max(limit, b.initial)
}

// limits is the Checker's record of every bound. It has its own lock,
// taken by SetSize and SetParallelism around the scheduler's method, so
// that changes of bounds are recorded in the order they were made.
type limits struct {
	change sync.Mutex // serialises SetSize and SetParallelism
	mu     sync.Mutex // guards the fields below
	queues map[string]*bound
	global *bound
}

func newLimits(l Limits) *limits {
	ls := &limits{queues: map[string]*bound{}, global: newBound(l.Parallelism)}
	for name, n := range l.Queues {
		ls.queues[name] = newBound(n)
	}
	return ls
}

// queueAt returns queue name's bound at time t (unlimited if unknown).
func (ls *limits) queueAt(name string, t time.Time) int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if b := ls.queues[name]; b != nil {
		return b.at(t)
	}
	return unlimited
}

func (ls *limits) globalAt(t time.Time) int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.global.at(t)
}

// record runs set, which changes a bound from its current value to n,
// and records the change with the interval of the call. The change is
// recorded before set runs, as pending, because the events of tasks
// started under the new limit may reach the Checker before set returns.
func (ls *limits) record(b func() *bound, n int, set func() error) error {
	ls.change.Lock()
	defer ls.change.Unlock()
	if n <= 0 {
		n = unlimited
	}
	ls.mu.Lock()
	bd := b()
	bd.changes = append(bd.changes, change{from: time.Now(), old: bd.current(), new: n, pending: true})
	ls.mu.Unlock()
	err := set()
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if err != nil {
		bd.changes = bd.changes[:len(bd.changes)-1]
		return err
	}
	c := &bd.changes[len(bd.changes)-1]
	c.to, c.pending = time.Now(), false
	return nil
}

// SetSize calls q.SetSize(n) and makes the checker enforce the new size
// from then on. Use it instead of q.SetSize while a Checker watches q:
// events of tasks started under the old size may still be on their way.
// It returns q.SetSize's error, and then changes nothing.
func (c *Checker) SetSize(q *dagq.Queue, n int) error {
	ls := c.limits
	return ls.record(func() *bound {
		b := ls.queues[q.Name()]
		if b == nil {
			b = newBound(0)
			ls.queues[q.Name()] = b
		}
		return b
	}, n, func() error { return q.SetSize(n) })
}

// SetParallelism calls s.SetParallelism(n) and makes the checker enforce
// the new global cap (0 = none) from then on. Use it instead of
// s.SetParallelism while a Checker watches s.
func (c *Checker) SetParallelism(s *dagq.Scheduler, n int) {
	ls := c.limits
	_ = ls.record(func() *bound { return ls.global }, n, func() error {
		s.SetParallelism(n)
		return nil
	})
}
