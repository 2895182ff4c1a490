package dagq_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dagq/dagq"
)

// A Fake backend plays scripted outcomes instead of running the tasks, and
// records what ran. Inside a testing/synctest bubble its durations are
// virtual (see docs/backends.md, "Simulate your pipeline").
func ExampleNewFake() {
	fake := dagq.NewFake(
		dagq.FakeTask("compile", dagq.FakeScript{Duration: time.Millisecond}),
		dagq.FakeTask("test", dagq.FakeScript{Err: errors.New("2 tests failed")}),
	)
	s := dagq.New(dagq.WithBackend("fake", fake), dagq.WithDefaultBackend("fake"))
	defer s.Shutdown(context.Background())
	cmd := []string{"make"} // not run: the fake plays the scripts
	err := s.Add(
		dagq.Spec{Name: "compile", Cmd: cmd},
		dagq.Spec{Name: "test", Cmd: cmd, Deps: []string{"compile"}},
		dagq.Spec{Name: "package", Cmd: cmd, Deps: []string{"test"}},
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Run(context.Background()))
	fmt.Println("ran:", fake.Order())
	info, _ := s.Lookup("package")
	fmt.Println("package:", info.Status, "-", info.Reason)
	// Output:
	// dagq: 1 of 3 tasks failed, 1 killed; task "test" (id 2) failed: 2 tests failed; task "package" (id 3) killed: dependency "test" (id 2) failed: 2 tests failed
	// ran: [compile test]
	// package: killed - dependency "test" (id 2) failed: 2 tests failed
}

// Tasks that need GPUs get free devices, all at once; a task needing
// both devices waits until both are free.
func ExampleNewGPU() {
	g, err := dagq.NewGPU("0,1")
	if err != nil {
		panic(err)
	}
	s := dagq.New(dagq.WithBackend("gpu", g), dagq.WithDefaultBackend("gpu"))
	defer s.Shutdown(context.Background())
	train := func(ctx context.Context) ([]string, error) {
		time.Sleep(time.Millisecond) // the training
		return dagq.Devices(ctx), nil
	}
	var runs []*dagq.Future[[]string]
	for i, need := range []int{1, 1, 2} {
		runs = append(runs, dagq.Submit(s.DefaultQueue(), train,
			dagq.Name(fmt.Sprint("train-", i)), dagq.Needs(dagq.Resources{GPUs: need})))
	}
	if err := s.Run(context.Background()); err != nil {
		panic(err)
	}
	for _, f := range runs {
		devs, _ := f.Get(context.Background())
		fmt.Println(f.Info().Name, "ran on", devs)
	}
	// Output:
	// train-0 ran on [0]
	// train-1 ran on [1]
	// train-2 ran on [0 1]
}

// seats is a backend of your own with finite capacity: a licence server
// with a few seats. Implementing [dagq.Capacity] lets the scheduler keep
// the surplus tasks Queued, in policy order, instead of starting them.
type seats struct {
	mu         sync.Mutex
	free       int
	inUse, max int // for the example's output
}

// Admit refuses at submission what could never run here.
func (b *seats) Admit(job *dagq.Job) error {
	if job.Needs.GPUs > 0 {
		return errors.New("no GPUs on the licence server")
	}
	return nil
}

// Acquire and Release run under the scheduler's lock: fast, no blocking.
func (b *seats) Acquire(*dagq.Job) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.free == 0 {
		return false
	}
	b.free--
	b.inUse++
	b.max = max(b.max, b.inUse)
	return true
}

func (b *seats) Release(*dagq.Job) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.free++
	b.inUse--
}

// Run runs the job; here, its function, as the Local backend does.
func (b *seats) Run(ctx context.Context, job *dagq.Job) (any, error) {
	return dagq.Local().Run(ctx, job)
}

// Writing your own backend with the capacity interface.
func Example_customBackend() {
	lic := &seats{free: 2}
	s := dagq.New(dagq.WithBackend("licensed", lic))
	defer s.Shutdown(context.Background())
	q, _ := s.Queue("sim", 8)
	for i := range 6 {
		dagq.Submit(q, func(ctx context.Context) (int, error) {
			time.Sleep(time.Millisecond)
			return i, nil
		}, dagq.OnBackend("licensed"))
	}
	refused := dagq.Submit(q, func(ctx context.Context) (int, error) { return 0, nil },
		dagq.OnBackend("licensed"), dagq.Needs(dagq.Resources{GPUs: 1}))
	_ = s.Run(context.Background())
	fmt.Println("at most", lic.max, "tasks held a seat")
	_, err := refused.Get(context.Background())
	fmt.Println(err)
	// Output:
	// at most 2 tasks held a seat
	// dagq: task id 7 failed: submit: backend "licensed": no GPUs on the licence server
}
