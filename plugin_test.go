package dagq_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// The built-in policies, observers and backends use only what a plug-in
// of the application's can: the exported optional interfaces. This file
// re-implements one of each kind with them alone — CriticalPath and
// FairShare, a LogObserver at Warn and a Recorder, and Pull — and checks
// that they give the same schedule at the same cost. The policies and the
// backend also take their rows in the crossed matrix (crossed_test.go).

// userCritical is CriticalPath written against the public API: a
// RankedPolicy whose ready set is an indexed heap keyed by the task's
// Remaining rank, rekeyed when the rank changes.
type userCritical struct{}

func (userCritical) NewReadySet() dagq.ReadySet { return &criticalSet{at: map[dagq.TaskID]int{}} }
func (userCritical) String() string             { return "user-critical-path" }
func (userCritical) Ranks() dagq.Ranks          { return dagq.RankPath }

// criticalSet is a max-heap on (Remaining, −ID) with each task's index,
// so that Rekey and Remove fix the heap in place.
type criticalSet struct {
	h  []criticalEntry
	at map[dagq.TaskID]int // index in h
}

type criticalEntry struct {
	t      dagq.Task
	k1, k2 float64
}

func criticalKey(t dagq.Task) criticalEntry {
	return criticalEntry{t, t.Remaining(), -float64(t.ID())}
}

func (s *criticalSet) less(i, j int) bool {
	a, b := s.h[i], s.h[j]
	return a.k1 > b.k1 || a.k1 == b.k1 && a.k2 > b.k2
}

func (s *criticalSet) swap(i, j int) {
	s.h[i], s.h[j] = s.h[j], s.h[i]
	s.at[s.h[i].t.ID()], s.at[s.h[j].t.ID()] = i, j
}

func (s *criticalSet) up(i int) {
	for i > 0 && s.less(i, (i-1)/2) {
		s.swap(i, (i-1)/2)
		i = (i - 1) / 2
	}
}

func (s *criticalSet) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(s.h) {
			return
		}
		if c+1 < len(s.h) && s.less(c+1, c) {
			c++
		}
		if !s.less(c, i) {
			return
		}
		s.swap(i, c)
		i = c
	}
}

func (s *criticalSet) Push(t dagq.Task) {
	s.at[t.ID()] = len(s.h)
	s.h = append(s.h, criticalKey(t))
	s.up(len(s.h) - 1)
}

func (s *criticalSet) Peek() dagq.Task {
	if len(s.h) == 0 {
		return dagq.Task{}
	}
	return s.h[0].t
}

func (s *criticalSet) Pop() dagq.Task {
	t := s.Peek()
	if !t.IsZero() {
		s.Remove(t)
	}
	return t
}

func (s *criticalSet) HeadKey() (float64, float64) { return s.h[0].k1, s.h[0].k2 }

func (s *criticalSet) Rekey(t dagq.Task) {
	i := s.at[t.ID()]
	s.h[i] = criticalKey(t)
	s.up(i)
	s.down(s.at[t.ID()])
}

func (s *criticalSet) Remove(t dagq.Task) {
	i, ok := s.at[t.ID()]
	if !ok {
		return
	}
	last := len(s.h) - 1
	s.swap(i, last)
	s.h = s.h[:last]
	delete(s.at, t.ID())
	if i < last {
		s.up(i)
		s.down(i)
	}
}

// userFair is FairShare written against the public API: tenants take
// turns in the order they first appear; the turn moves when a task
// starts (RunTracker), and a popped task that could not start is put
// back in its place (Unpopper).
type userFair struct{ quotas map[string]int }

func (f userFair) NewReadySet() dagq.ReadySet {
	return &fairSet{quotas: f.quotas, of: map[string]*tenant{}}
}
func (userFair) String() string { return "user-fair-share" }

type tenant struct {
	name    string
	tasks   []dagq.Task
	running int
}

type fairSet struct {
	quotas map[string]int
	ring   []*tenant
	of     map[string]*tenant
	turn   int // index in ring of the tenant whose turn it is
}

func (s *fairSet) tenantOf(t dagq.Task) *tenant {
	tn := s.of[t.Tenant()]
	if tn == nil {
		tn = &tenant{name: t.Tenant()}
		s.of[tn.name] = tn
		s.ring = append(s.ring, tn)
	}
	return tn
}

func (s *fairSet) Push(t dagq.Task) {
	tn := s.tenantOf(t)
	tn.tasks = append(tn.tasks, t)
}

// next returns the tenant whose task starts next.
func (s *fairSet) next() *tenant {
	for k := range s.ring {
		tn := s.ring[(s.turn+k)%len(s.ring)]
		if q, capped := s.quotas[tn.name]; len(tn.tasks) > 0 && (!capped || tn.running < q) {
			return tn
		}
	}
	return nil
}

func (s *fairSet) Peek() dagq.Task {
	if tn := s.next(); tn != nil {
		return tn.tasks[0]
	}
	return dagq.Task{}
}

func (s *fairSet) Pop() dagq.Task {
	tn := s.next()
	if tn == nil {
		return dagq.Task{}
	}
	t := tn.tasks[0]
	tn.tasks = tn.tasks[1:]
	return t
}

func (s *fairSet) Unpop(t dagq.Task) {
	tn := s.tenantOf(t)
	tn.tasks = append([]dagq.Task{t}, tn.tasks...)
}

func (s *fairSet) Started(t dagq.Task) {
	tn := s.tenantOf(t)
	tn.running++
	s.turn = (slices.Index(s.ring, tn) + 1) % len(s.ring)
}

func (s *fairSet) Finished(t dagq.Task) { s.tenantOf(t).running-- }

// userPull is Pull written against the public API: a Capacity backend
// whose capacity is the worker loops' waiting Next calls, made visible
// under the scheduler's lock (CapacityPublisher), one per job
// (UniformCapacity), and whose claimed jobs are stranded at Shutdown
// (ShutdownNotifier).
type userPull struct {
	mu       sync.Mutex
	incoming []chan *dagq.Job // Next calls the scheduler has not seen
	waiters  []chan *dagq.Job // Next calls Acquire may promise
	promised int
	claims   map[*dagq.Job]*userClaim
	wake     func()
	closed   bool
}

type userClaim struct {
	done      chan userResult
	released  chan struct{}
	completed bool
	cancels   []context.CancelCauseFunc
}

type userResult struct {
	v   any
	err error
}

var errUserPullClosed = errors.New("user pull: closed")

func newUserPull() *userPull { return &userPull{claims: map[*dagq.Job]*userClaim{}} }

func (p *userPull) Next(ctx context.Context) (*dagq.Job, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errUserPullClosed
	}
	w := make(chan *dagq.Job, 1)
	p.incoming = append(p.incoming, w)
	wake := p.wake
	p.mu.Unlock()
	wake()
	select {
	case job, ok := <-w:
		return userPulled(job, ok)
	case <-ctx.Done():
	}
	p.mu.Lock()
	n := len(p.incoming) + len(p.waiters)
	p.incoming = slices.DeleteFunc(p.incoming, func(c chan *dagq.Job) bool { return c == w })
	p.waiters = slices.DeleteFunc(p.waiters, func(c chan *dagq.Job) bool { return c == w })
	gone := len(p.incoming)+len(p.waiters) < n
	p.mu.Unlock()
	if gone {
		return nil, ctx.Err()
	}
	job, ok := <-w
	return userPulled(job, ok)
}

func userPulled(job *dagq.Job, ok bool) (*dagq.Job, error) {
	if !ok {
		return nil, errUserPullClosed
	}
	return job, nil
}

func (p *userPull) Context(parent context.Context, job *dagq.Job) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	p.mu.Lock()
	if c := p.claims[job]; c != nil {
		c.cancels = append(c.cancels, cancel)
	} else {
		cancel(errUserPullClosed)
	}
	p.mu.Unlock()
	return ctx, func() { cancel(context.Canceled) }
}

func (p *userPull) Complete(job *dagq.Job, v any, err error) {
	p.mu.Lock()
	c := p.claims[job]
	if c == nil || c.completed {
		p.mu.Unlock()
		return
	}
	c.completed = true
	c.done <- userResult{v, err}
	p.mu.Unlock()
	<-c.released
}

func (p *userPull) NotifyCapacity(wake func()) { p.wake = wake }

func (p *userPull) PublishCapacity() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiters = append(p.waiters, p.incoming...)
	p.incoming = p.incoming[:0]
}

func (p *userPull) UniformCapacity() bool { return true }

func (p *userPull) Admit(*dagq.Job) error { return nil }

func (p *userPull) Acquire(job *dagq.Job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.waiters) <= p.promised {
		return false
	}
	p.promised++
	p.claims[job] = &userClaim{done: make(chan userResult, 1), released: make(chan struct{})}
	return true
}

func (p *userPull) Release(job *dagq.Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.claims[job]; c != nil {
		close(c.released)
		delete(p.claims, job)
		for _, cancel := range c.cancels {
			cancel(errUserPullClosed)
		}
	}
}

func (p *userPull) Run(ctx context.Context, job *dagq.Job) (any, error) {
	p.mu.Lock()
	p.promised = max(p.promised-1, 0)
	c := p.claims[job]
	if c == nil || len(p.waiters) == 0 {
		p.mu.Unlock()
		return nil, dagq.ErrBackendBusy
	}
	w := p.waiters[0]
	p.waiters = p.waiters[1:]
	w <- job
	p.mu.Unlock()
	select {
	case r := <-c.done:
		return r.v, r.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

func (p *userPull) NotifyShutdown() func(*dagq.Job) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, w := range append(p.waiters, p.incoming...) {
		close(w)
	}
	p.waiters, p.incoming = nil, nil
	return func(job *dagq.Job) bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		c := p.claims[job]
		return c != nil && !c.completed
	}
}

var (
	_ dagq.RankedPolicy      = userCritical{}
	_ dagq.Rekeyer           = (*criticalSet)(nil)
	_ dagq.Ranked            = (*criticalSet)(nil)
	_ dagq.TaskRemover       = (*criticalSet)(nil)
	_ dagq.Unpopper          = (*fairSet)(nil)
	_ dagq.RunTracker        = (*fairSet)(nil)
	_ dagq.Capacity          = (*userPull)(nil)
	_ dagq.CapacityNotifier  = (*userPull)(nil)
	_ dagq.CapacityPublisher = (*userPull)(nil)
	_ dagq.UniformCapacity   = (*userPull)(nil)
	_ dagq.ShutdownNotifier  = (*userPull)(nil)
)

// userWarnings is LogObserver at Warn written against the public API: it
// takes the failures and kills only, and never reads the queues' counts.
type userWarnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *userWarnings) Enabled(kind dagq.EventKind, _, to dagq.Status) bool {
	return kind == dagq.TaskFinished && (to == dagq.Failed || to == dagq.Killed)
}

func (w *userWarnings) ReadsQueueStats() bool { return false }

func (w *userWarnings) Observe(e dagq.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if e.Stats.Queues != nil {
		panic("queue stats built for an observer that reads none")
	}
	w.lines = append(w.lines, e.Task.Name+" "+e.To.String())
}

// userRecorder is Recorder written against the public API: attached, it
// takes no events and reads the scheduler's snapshots.
type userRecorder struct{ s *dagq.Scheduler }

func (r *userRecorder) Attach(s *dagq.Scheduler) bool { r.s = s; return false }
func (r *userRecorder) Observe(dagq.Event)            { panic("an attached recorder takes no events") }

// pluginRun runs a small graph with a failure, a kill and a cancel, and
// returns its scheduler.
func pluginRun(t *testing.T, opts ...dagq.Option) *dagq.Scheduler {
	s := dagq.New(opts...)
	q := s.DefaultQueue()
	bad := dagq.Submit(q, func(context.Context) (int, error) { return 0, errors.New("boom") }, dagq.Name("bad"))
	dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("child"), dagq.After(bad))
	for i := range 20 {
		dagq.Submit(q, func(context.Context) (int, error) { return i, nil }, dagq.Name("ok"))
	}
	long := dagq.Submit(q, func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() }, dagq.Name("long"))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	require.NoError(t, s.Start(ctx))
	for long.Status() != dagq.Running {
		time.Sleep(time.Millisecond) // virtual time
	}
	s.Cancel(long.ID(), "enough")
	require.ErrorContains(t, s.Wait(ctx), "1 of 23 tasks failed, 2 killed")
	require.NoError(t, s.Shutdown(ctx))
	return s
}

func TestUserObserversCostWhatTheBuiltInsCost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log bytes.Buffer
		builtin := pluginRun(t, dagq.WithObserver(dagq.LogObserver(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn})))))
		w := &userWarnings{}
		user := pluginRun(t, dagq.WithObserver(w))
		require.Equal(t, []string{"bad failed", "child killed", "long killed"}, w.lines)
		require.Equal(t, 3, bytes.Count(log.Bytes(), []byte("\n")), log.String())
		require.Equal(t, dagq.RecordedEvents(builtin), dagq.RecordedEvents(user), "the scheduler records the same events for both")
		require.Equal(t, uint64(3), dagq.RecordedEvents(user))

		var rec dagq.Recorder
		builtin = pluginRun(t, dagq.WithObserver(&rec))
		ur := &userRecorder{}
		user = pluginRun(t, dagq.WithObserver(dagq.MultiObserver(ur)))
		require.Zero(t, dagq.RecordedEvents(builtin))
		require.Zero(t, dagq.RecordedEvents(user))
		names := func(ts []dagq.TaskInfo) (out []string) {
			for _, i := range ts {
				out = append(out, i.Name+" "+i.Status.String())
			}
			return out
		}
		require.Equal(t, names(rec.Tasks()), names(ur.s.Tasks()))
	})
}

// twoQueueOrder runs tasks on two queues, "a" with policy p and "b" with
// ByWeight, one task at a time, and returns the start order by name.
func twoQueueOrder(t *testing.T, p dagq.Policy) string {
	o := &order{}
	s := dagq.New(dagq.WithObserver(o), dagq.WithParallelism(1))
	a, err := s.Queue("a", 4, dagq.WithQueuePolicy(p))
	require.NoError(t, err)
	b, err := s.Queue("b", 4, dagq.WithQueuePolicy(dagq.ByWeight()))
	require.NoError(t, err)
	sleep := func(context.Context) (int, error) { time.Sleep(time.Second); return 0, nil }
	var prev dagq.Dep
	for i, c := range []float64{1, 5, 2, 7, 3} {
		opts := []dagq.TaskOption{dagq.Name(string(rune('a'+i)) + "a"), dagq.Cost(c)}
		if i == 3 {
			opts = append(opts, dagq.After(prev)) // its path raises the rank of its dependency
		}
		prev = dagq.Submit(a, sleep, opts...)
	}
	for i, w := range []float64{4, 0.5, 6, 2.5} {
		dagq.Submit(b, sleep, dagq.Name(string(rune('a'+i))+"b"), dagq.Weight(w))
	}
	require.NoError(t, s.Run(t.Context()))
	require.NoError(t, s.Shutdown(t.Context()))
	return o.String()
}

// TestUserPolicyRanksAcrossQueues checks that a user's ranked ready set
// is weighed against another queue's as the built-in one is.
func TestUserPolicyRanksAcrossQueues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		want := twoQueueOrder(t, dagq.CriticalPath())
		// Remaining: ca 2+7, da 7, ba 5, ea 3, aa 1; weights: cb 6, ab 4, db 2.5, bb 0.5.
		require.Equal(t, "ca da cb ba ab ea db aa bb", want)
		require.Equal(t, want, twoQueueOrder(t, userCritical{}))
	})
}

// layeredRun runs a graph of n tasks in layers of 10, each depending on
// two tasks of the layer before, with policy p, through a pull backend
// made by pull if it is not nil.
func layeredRun(t testing.TB, n int, p dagq.Policy, pull func() puller) {
	opts := []dagq.Option{dagq.WithPolicy(p)}
	var to []dagq.TaskOption
	var worker puller
	if pull != nil {
		worker = pull()
		opts = append(opts, dagq.WithBackend("pull", worker.(dagq.Backend)))
		to = append(to, dagq.OnBackend("pull"))
	}
	s := dagq.New(opts...)
	q := s.DefaultQueue()
	fs := make([]*dagq.Future[int], n)
	for i := range n {
		o := append(slices.Clone(to), dagq.Cost(float64(i%7)))
		if i >= 10 {
			o = append(o, dagq.After(fs[i-10-i%10], fs[i-1-i%10]))
		}
		fs[i] = dagq.Submit(q, func(context.Context) (int, error) { return i, nil }, o...)
	}
	ctx, stop := serving(context.Background(), worker)
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestUserPluginsAllocateAsTheBuiltIns checks that a re-implemented
// policy and backend cost the run what the built-ins cost, in allocations
// per task, within what their own data structures take (the user's heap
// keeps an index map; the user's Pull a closure per Next): CriticalPath
// 5.89 against 5.91, Pull 27.8 against 28.8 on 2,000 layered tasks.
func TestUserPluginsAllocateAsTheBuiltIns(t *testing.T) {
	const n = 2000
	perTask := func(p dagq.Policy, pull func() puller) float64 {
		return testing.AllocsPerRun(3, func() { layeredRun(t, n, p, pull) }) / n
	}
	require.InDelta(t, perTask(dagq.CriticalPath(), nil), perTask(userCritical{}, nil), 0.5)
	require.InDelta(t, perTask(dagq.FIFO(), func() puller { return dagq.NewPull() }),
		perTask(dagq.FIFO(), func() puller { return newUserPull() }), 1.5)
}

// TestUserPullStrandedAtShutdown checks that Shutdown tells a user's
// backend through ShutdownNotifier and kills the jobs it strands, as it
// does Pull's.
func TestUserPullStrandedAtShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newUserPull()
		s := dagq.New(dagq.WithBackend("pull", p))
		f := dagq.Submit(s.DefaultQueue(), func(context.Context) (int, error) { return 1, nil }, dagq.OnBackend("pull"))
		require.NoError(t, s.Start(t.Context()))
		job, err := p.Next(t.Context()) // claimed, never completed
		require.NoError(t, err)
		require.Equal(t, f.ID(), job.ID)
		require.NoError(t, s.Shutdown(t.Context()))
		require.Equal(t, dagq.Killed, f.Status())
		require.Contains(t, f.Info().Err.Error(), `stranded on backend "pull"`)
		_, err = p.Next(t.Context())
		require.ErrorIs(t, err, errUserPullClosed)
	})
}
