package dagq_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/dagq/dagq"
)

// Dependents is the other direction of TaskInfo.Deps: what a failure or a
// Cancel of the task reaches first.
func ExampleScheduler_Dependents() {
	s := dagq.New()
	defer s.Shutdown(context.Background())
	q := s.DefaultQueue()
	one := func(context.Context) (int, error) { return 1, nil }
	fetch := dagq.Submit(q, one, dagq.Name("fetch"))
	dagq.Submit(q, one, dagq.Name("parse"), dagq.After(fetch))
	dagq.Submit(q, one, dagq.Name("index"), dagq.After(fetch))
	for _, id := range s.Dependents(fetch.ID()) {
		t, _ := s.Task(id)
		fmt.Println(t.Name)
	}
	// Output:
	// parse
	// index
}

// failedNames is an observer that takes only failed tasks.
type failedNames struct {
	mu    sync.Mutex
	names []string
}

func (f *failedNames) Enabled(_ dagq.EventKind, _, to dagq.Status) bool { return to == dagq.Failed }

func (f *failedNames) Observe(e dagq.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names = append(f.names, e.Task.Name)
}

// AddObserver attaches an observer to a scheduler already made (here,
// already running); with an EventFilter, the scheduler records only the
// events it takes.
func ExampleScheduler_AddObserver() {
	ctx := context.Background()
	s := dagq.New()
	defer s.Shutdown(ctx)
	if err := s.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	f := &failedNames{}
	remove := s.AddObserver(f)
	q := s.DefaultQueue()
	dagq.Submit(q, func(context.Context) (int, error) { return 1, nil }, dagq.Name("ok"))
	dagq.Submit(q, func(context.Context) (int, error) { return 0, fmt.Errorf("disk full") }, dagq.Name("save"))
	_ = s.Wait(ctx) // reports the failure; Wait also waits for f's deliveries
	remove()
	fmt.Println(f.names)
	// Output:
	// [save]
}
