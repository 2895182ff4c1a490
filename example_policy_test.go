package dagq_test

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/dagq/dagq"
)

// order is an observer that collects the names of started tasks; as a
// dagq.EventFilter, it takes no other event.
type order struct {
	mu    sync.Mutex
	names []string
}

func (o *order) Enabled(kind dagq.EventKind, _, _ dagq.Status) bool { return kind == dagq.TaskStarted }

func (o *order) Observe(e dagq.Event) {
	if e.Kind == dagq.TaskStarted {
		o.mu.Lock()
		o.names = append(o.names, e.Task.Name)
		o.mu.Unlock()
	}
}

func (o *order) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.names, " ")
}

// LatestFirst completes the newest final result first: with one slot,
// each C runs as soon as the two Bs it needs exist.
func Example_latestFirst() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithObserver(o))
	defer s.Shutdown(ctx)
	q, _ := s.Queue("q", 1, dagq.WithQueuePolicy(dagq.LatestFirst()))

	const m = 3
	b := make([]*dagq.Future[int], m)
	for i := range m {
		a := dagq.Submit(q, func(context.Context) (int, error) { return i, nil }, dagq.Name(fmt.Sprint("A", i)))
		b[i] = dagq.Then(q, a, func(_ context.Context, v int) (int, error) { return v, nil }, dagq.Name(fmt.Sprint("B", i)))
	}
	for i := range m {
		for k := range m {
			dagq.Then2(q, b[i], b[k], func(_ context.Context, x, y int) (int, error) { return x * y, nil },
				dagq.Name(fmt.Sprint("C", i*m+k)))
		}
	}
	_ = s.Run(ctx)
	fmt.Println(o)
	// Output: A2 B2 C8 A1 B1 C7 A0 B0 C6 C5 C4 C3 C2 C1 C0
}

// FairShare takes turns between tenants, whatever the submission order,
// and caps each tenant's running tasks by its quota.
func ExampleFairShare() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithObserver(o))
	defer s.Shutdown(ctx)
	q, _ := s.Queue("gpu", 1, dagq.WithQueuePolicy(dagq.FairShare(map[string]int{"batch": 1})))
	for _, tenant := range []string{"alice", "alice", "alice", "bob", "batch", "batch"} {
		dagq.Submit(q, func(context.Context) (int, error) { return 0, nil },
			dagq.Tenant(tenant), dagq.Name(tenant))
	}
	_ = s.Run(ctx)
	fmt.Println(o)
	// Output: alice bob batch alice batch alice
}

// stack is a stateful policy: the most recently readied task goes first
// (LIFO). Each queue gets its own stackSet from NewReadySet.
type stack struct{}

func (stack) NewReadySet() dagq.ReadySet { return &stackSet{} }
func (stack) String() string             { return "stack" }

// stackSet holds one queue's ready tasks. The scheduler calls its methods
// with its lock held: they only touch the set's own state. A set that
// needs to know when its tasks start and finish (to cap them, say) also
// implements dagq.RunTracker.
type stackSet struct {
	tasks []dagq.Task
}

func (s *stackSet) Push(t dagq.Task) { s.tasks = append(s.tasks, t) }

func (s *stackSet) Peek() dagq.Task {
	if len(s.tasks) == 0 {
		return dagq.Task{}
	}
	return s.tasks[len(s.tasks)-1]
}

func (s *stackSet) Pop() dagq.Task {
	t := s.Peek()
	if !t.IsZero() {
		s.tasks = s.tasks[:len(s.tasks)-1]
	}
	return t
}

// A custom Policy keeps its own state per queue in the ReadySet it makes.
func ExamplePolicy() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithObserver(o))
	defer s.Shutdown(ctx)
	q, _ := s.Queue("q", 1, dagq.WithQueuePolicy(stack{}))
	for _, name := range []string{"first", "second", "third"} {
		dagq.Submit(q, func(context.Context) (string, error) { return name, nil }, dagq.Name(name))
	}
	_ = s.Run(ctx)
	fmt.Println(o)
	// Output: third second first
}

// HeadKey ranks a stackSet's best task against other queues' heads
// (dagq.Ranked): the newest task first, as the ByWeight queue's tasks
// rank by weight.
func (s *stackSet) HeadKey() (float64, float64) {
	return float64(s.tasks[len(s.tasks)-1].ID()), 0
}

// A ready set that implements Ranked competes with other queues by its
// own key; without it, its head ranks as FIFO's (0, −ID).
func ExampleRanked() {
	ctx := context.Background()
	o := &order{}
	s := dagq.New(dagq.WithObserver(o), dagq.WithParallelism(1))
	defer s.Shutdown(ctx)
	lifo, _ := s.Queue("lifo", 1, dagq.WithQueuePolicy(stack{}))
	heavy, _ := s.Queue("heavy", 1, dagq.WithQueuePolicy(dagq.ByWeight()))
	for _, name := range []string{"s1", "s2", "s3"} { // IDs 1, 2, 3
		dagq.Submit(lifo, func(context.Context) (string, error) { return name, nil }, dagq.Name(name))
	}
	dagq.Submit(heavy, func(context.Context) (string, error) { return "w", nil }, dagq.Name("w2.5"), dagq.Weight(2.5))
	_ = s.Run(ctx)
	fmt.Println(o)
	// Output: s3 w2.5 s2 s1
}
