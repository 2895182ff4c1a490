package dagq_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// startOrder records the names of started tasks, in dispatch order, for
// the queues named (all queues if none).
type startOrder struct {
	mu     sync.Mutex
	queues []string
	names  []string
}

func (o *startOrder) Observe(e dagq.Event) {
	if e.Kind != dagq.TaskStarted || (len(o.queues) > 0 && !contains(o.queues, e.Task.Queue)) {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.names = append(o.names, e.Task.Name)
}

func (o *startOrder) get() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.names...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// runOK runs s (started already or not) to the end and shuts it down.
func runOK(t *testing.T, s *dagq.Scheduler) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.Run(ctx))
	require.NoError(t, s.Shutdown(ctx))
}

func ident(_ context.Context, v int) (int, error) { return v, nil }

func returnZero(context.Context) (int, error) { return 0, nil }

// oneSlot returns a scheduler with a queue "q" of one slot using p, and
// the observer recording the order of starts.
func oneSlot(t *testing.T, p dagq.Policy) (*dagq.Scheduler, *dagq.Queue, *startOrder) {
	t.Helper()
	o := &startOrder{}
	s := dagq.New(dagq.WithObserver(o))
	q, err := s.Queue("q", 1, dagq.WithQueuePolicy(p))
	require.NoError(t, err)
	return s, q, o
}

// holdSlot starts s and a task "gate" on q, and returns once it runs; the
// returned func lets it finish.
func holdSlot(t *testing.T, s *dagq.Scheduler, q *dagq.Queue) (release func()) {
	t.Helper()
	require.NoError(t, s.Start(context.Background()))
	ch, started := make(chan struct{}), make(chan struct{})
	dagq.Submit(q, func(context.Context) (int, error) {
		close(started)
		<-ch
		return 0, nil
	}, dagq.Name("gate"))
	<-started
	return func() { close(ch) }
}

func product(_ context.Context, a, b int) (int, error) { return a * b, nil }

// submitSmqsched submits smqsched's program with m = 100: A[i], B[i] =
// f(A[i]), then C[i*m+k] = g(B[i], B[k]).
func submitSmqsched(q *dagq.Queue, m int) {
	b := make([]*dagq.Future[int], m)
	for i := range m {
		a := dagq.Submit(q, func(context.Context) (int, error) { return i, nil }, dagq.Name(fmt.Sprint("A", i)))
		b[i] = dagq.Then(q, a, ident, dagq.Name(fmt.Sprint("B", i)))
	}
	for i := range m {
		for k := range m {
			dagq.Then2(q, b[i], b[k], product, dagq.Name(fmt.Sprint("C", i*m+k)))
		}
	}
}

func smqschedOrder(t *testing.T, p dagq.Policy) []string {
	s, q, o := oneSlot(t, p)
	submitSmqsched(q, 100)
	runOK(t, s)
	return o.get()
}

func TestLatestFirstSmqschedOrder(t *testing.T) {
	t.Parallel()
	var want []string
	for i := 99; i >= 0; i-- {
		want = append(want, fmt.Sprint("A", i), fmt.Sprint("B", i), fmt.Sprint("C", 9900+i))
	}
	for j := 9899; j >= 0; j-- {
		want = append(want, fmt.Sprint("C", j))
	}
	got := smqschedOrder(t, dagq.LatestFirst())
	require.Equal(t, []string{"A99", "B99", "C9999", "A98", "B98", "C9998"}, got[:6])
	requireOrder(t, want, got)
}

// requireOrder compares long orders, reporting the first difference.
func requireOrder(t *testing.T, want, got []string) {
	t.Helper()
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			lo, hi := max(i-3, 0), min(i+4, len(want), len(got))
			require.Failf(t, "orders differ", "at %d: want …%v…, got …%v…", i, want[lo:hi], got[lo:hi])
		}
	}
	require.Len(t, got, len(want))
}

func TestFIFOSmqschedOrder(t *testing.T) {
	t.Parallel()
	var want []string
	for i := range 100 {
		want = append(want, fmt.Sprint("A", i), fmt.Sprint("B", i))
	}
	for j := range 10000 {
		want = append(want, fmt.Sprint("C", j))
	}
	got := smqschedOrder(t, dagq.FIFO())
	requireOrder(t, want, got)
	require.Equal(t, "C0", got[200], "under FIFO the first C runs after 200 other tasks")
}

// TestLatestFirstEvenOdd is smqsched's acquisition example: an acquisition
// queue of size 1 feeds a compute queue of size 2 with every even×odd
// pair. Evens are submitted first, then odds, then the pairs, even-major;
// recency alone would acquire one odd after another.
func TestLatestFirstEvenOdd(t *testing.T) {
	t.Parallel()
	o := &startOrder{queues: []string{"acquire"}}
	s := dagq.New(dagq.WithObserver(o), dagq.WithPolicy(dagq.LatestFirst()))
	acq, err := s.Queue("acquire", 1)
	require.NoError(t, err)
	cpu, err := s.Queue("compute", 2)
	require.NoError(t, err)
	const n = 6
	acquire := func(name string) *dagq.Future[int] {
		return dagq.Submit(acq, func(context.Context) (int, error) { return len(name), nil }, dagq.Name(name))
	}
	evens := make([]*dagq.Future[int], n)
	odds := make([]*dagq.Future[int], n)
	for i := range n {
		evens[i] = acquire(fmt.Sprint("E", i))
	}
	for i := range n {
		odds[i] = acquire(fmt.Sprint("O", i))
	}
	for _, e := range evens {
		for _, d := range odds {
			dagq.Then2(cpu, e, d, product)
		}
	}
	runOK(t, s)

	got := o.get()
	require.Len(t, got, 2*n)
	require.NotEqual(t, got[0][0], got[1][0], "first two acquisitions: one even, one odd; got %v", got)
	var e, d int
	for i, name := range got {
		if name[0] == 'E' {
			e++
		} else {
			d++
		}
		if k := (i + 1) / 2; (i+1)%2 == 0 {
			require.GreaterOrEqual(t, e*d, k*k, "after %d acquisitions %v, %d pairs computable", i+1, got[:i+1], e*d)
		}
	}
}

// TestLatestFirstRanksWhileRunning submits while the only slot is taken:
// a newer dependent raises its unfinished dependencies, transitively.
func TestLatestFirstRanksWhileRunning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy dagq.Policy
		want   string
	}{
		{dagq.LatestFirst(), "gate x1 x2 x3 z"},
		{dagq.FIFO(), "gate z x1 x2 x3"},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			t.Parallel()
			s, q, o := oneSlot(t, tc.policy)
			release := holdSlot(t, s, q)
			dagq.Submit(q, returnZero, dagq.Name("z"))
			x1 := dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("x1"))
			x2 := dagq.Then(q, x1, ident, dagq.Name("x2"))
			dagq.Then(q, x2, ident, dagq.Name("x3"))
			release()
			runOK(t, s)
			require.Equal(t, tc.want, strings.Join(o.get(), " "))
		})
	}
}

// TestLatestFirstThroughOtherQueue checks that ranks pass through tasks of
// queues with other policies.
func TestLatestFirstThroughOtherQueue(t *testing.T) {
	t.Parallel()
	o := &startOrder{queues: []string{"src"}}
	s := dagq.New(dagq.WithObserver(o))
	src, err := s.Queue("src", 1, dagq.WithQueuePolicy(dagq.LatestFirst()))
	require.NoError(t, err)
	mid, err := s.Queue("mid", 1, dagq.WithQueuePolicy(dagq.FIFO()))
	require.NoError(t, err)
	var last []*dagq.Future[int]
	for i := range 3 {
		a := dagq.Submit(src, func(context.Context) (int, error) { return i, nil }, dagq.Name(fmt.Sprint("a", i)))
		last = append(last, dagq.Then(mid, a, ident))
	}
	// The newest sink needs a0 through mid: a0 goes first, then by recency.
	dagq.Then(src, last[0], ident, dagq.Name("sink"))
	runOK(t, s)
	require.Equal(t, "a0 a2 a1 sink", strings.Join(o.get(), " "))
}

// wrappedLatest is a custom policy that uses LatestFirst's ready set: the
// scheduler keeps no ranks for it, and the set then orders by ID alone,
// newest first.
type wrappedLatest struct{}

func (wrappedLatest) NewReadySet() dagq.ReadySet { return dagq.LatestFirst().NewReadySet() }
func (wrappedLatest) String() string             { return "wrapped-latest-first" }

func TestLatestFirstReadySetInsideACustomPolicy(t *testing.T) {
	s := dagq.New()
	defer s.Shutdown(context.Background())
	q, err := s.Queue("q", 1, dagq.WithQueuePolicy(wrappedLatest{}))
	require.NoError(t, err)
	var order []int
	for i := range 3 {
		dagq.Submit(q, func(context.Context) (int, error) { order = append(order, i); return i, nil })
	}
	require.NoError(t, s.Run(context.Background()))
	require.Equal(t, []int{2, 1, 0}, order)
}
