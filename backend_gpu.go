package dagq

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// GPU is a backend with device slots: a task with [Needs]{GPUs: n} gets n
// free devices, all at once or not at all, for as long as it runs, and
// reads them with [Devices] (a process run by [Exec] also gets them in
// CUDA_VISIBLE_DEVICES, which is set empty for a task that got none). While too few devices are free the task stays
// Queued, in its queue's policy order, and smaller tasks that fit go first
// (the scheduler's starvation guard eventually reserves devices for a
// large task that keeps being passed over). A task needing more devices
// than exist fails at submission. Tasks needing no GPU take one of the
// CPU slots (see [WithCPUSlots]).
//
// With no devices configured ("" or "none") the GPU backend falls back to
// CPU slots, as gpu-job-runner's DeviceManager does: every task, whatever
// it needs, takes one CPU slot, and [Devices] is empty. The same pipeline
// thus runs on a laptop and on a GPU server.
//
// GPU runs each job on an inner backend, [Local] unless [WithInner] says
// otherwise. It implements [Capacity]; its methods are safe for
// concurrent use. Register a GPU with one scheduler only: capacity freed
// by one scheduler's task does not wake another scheduler.
type GPU struct {
	ids   []string
	index map[string]int
	inner Backend
	capa  Capacity // inner's capacity, if any
	slots int

	mu      sync.Mutex // guards the fields below
	busy    []bool     // by index into ids
	cpuUsed int
	held    map[*Job][]int // what each running job holds; nil slice = a CPU slot
}

var _ Capacity = (*GPU)(nil)

// GPUOption configures [NewGPU].
type GPUOption interface {
	applyGPU(*GPU)
	String() string
}

type cpuSlotsOption int

func (o cpuSlotsOption) applyGPU(g *GPU) { g.slots = int(o) }
func (o cpuSlotsOption) String() string  { return fmt.Sprintf("WithCPUSlots(%d)", int(o)) }

// WithCPUSlots sets how many tasks that use no device may run at once on
// the GPU backend (tasks needing no GPU, and every task when no devices
// are configured). The default is GOMAXPROCS; n < 1 is an error at
// [NewGPU].
func WithCPUSlots(n int) GPUOption { return cpuSlotsOption(n) }

type innerOption struct{ b Backend }

func (o innerOption) applyGPU(g *GPU) { g.inner = o.b }
func (o innerOption) String() string  { return fmt.Sprintf("WithInner(%T)", o.b) }

// WithInner makes the GPU backend run its jobs on b once their devices
// are claimed: [Exec] for processes, [NewFake] to simulate. The default is
// [Local]. If b implements [Capacity], its capacity is claimed too.
func WithInner(b Backend) GPUOption { return innerOption{b} }

// NewGPU returns a GPU backend with the devices listed in ids: "0,1,3",
// "0-3", "0-1,4", and "" or "none" for no devices (CPU fallback). Ids keep
// the spelling given and are handed to tasks in that order. Duplicates,
// empty items, reversed ranges, negative numbers and anything else return
// a [*DeviceListError] naming the bad item; so does an invalid option.
func NewGPU(ids string, opts ...GPUOption) (*GPU, error) {
	list, err := ParseGPUIDs(ids)
	if err != nil {
		return nil, err
	}
	g := &GPU{ids: list, index: make(map[string]int, len(list)), inner: Local(),
		slots: runtime.GOMAXPROCS(0), busy: make([]bool, len(list)), held: map[*Job][]int{}}
	for i, id := range list {
		g.index[id] = i
	}
	for _, o := range opts {
		if o != nil {
			o.applyGPU(g)
		}
	}
	if g.slots < 1 {
		return nil, fmt.Errorf("dagq: NewGPU: WithCPUSlots(%d): want at least 1", g.slots)
	}
	if g.inner == nil {
		return nil, fmt.Errorf("dagq: NewGPU: WithInner(nil): want a backend")
	}
	g.capa, _ = g.inner.(Capacity)
	return g, nil
}

// IDs returns the configured device ids, in order.
func (g *GPU) IDs() []string { return slices.Clone(g.ids) }

// Free returns the ids of the devices no task holds right now, in order.
func (g *GPU) Free() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var free []string
	for i, b := range g.busy {
		if !b {
			free = append(free, g.ids[i])
		}
	}
	return free
}

// Admit refuses a job that needs more devices than exist (none are
// needed for the CPU fallback), and what the inner backend refuses when
// asked about the job without its GPUs, which the GPU backend provides.
func (g *GPU) Admit(job *Job) error {
	if n := job.Needs.GPUs; len(g.ids) > 0 && n > len(g.ids) {
		return fmt.Errorf("needs %d GPUs, only %d exist (%v)", n, len(g.ids), g.ids)
	}
	if g.capa != nil {
		rest := *job
		rest.Needs.GPUs = 0
		return g.capa.Admit(&rest)
	}
	return nil
}

// Acquire claims the job's devices (the lowest free ones) or a CPU slot,
// all or nothing, and sets job.Devices. It never blocks.
func (g *GPU) Acquire(job *Job) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.held[job]; ok {
		return true // already holds its share
	}
	n := job.Needs.GPUs
	var take []int
	if n > 0 && len(g.ids) > 0 {
		for i, b := range g.busy {
			if !b && len(take) < n {
				take = append(take, i)
			}
		}
		if len(take) < n {
			return false
		}
	} else if g.cpuUsed >= g.slots {
		return false
	}
	if g.capa != nil && !g.capa.Acquire(job) {
		return false
	}
	if take == nil {
		g.cpuUsed++
	}
	job.Devices = make([]string, 0, len(take)) // not nil even on a CPU slot: see Job.Devices
	for _, i := range take {
		g.busy[i] = true
		job.Devices = append(job.Devices, g.ids[i])
	}
	g.held[job] = take
	return true
}

// Release frees what Acquire claimed for job. Releasing a job that holds
// nothing does nothing.
func (g *GPU) Release(job *Job) {
	g.mu.Lock()
	defer g.mu.Unlock()
	take, ok := g.held[job]
	if !ok {
		return
	}
	delete(g.held, job)
	if take == nil {
		g.cpuUsed--
	}
	for _, i := range take {
		g.busy[i] = false
	}
	if g.capa != nil {
		g.capa.Release(job)
	}
}

// Run runs job on the inner backend. The scheduler calls it after
// Acquire; ctx carries the devices for [Devices]. A process run by an
// inner [Exec] always gets CUDA_VISIBLE_DEVICES: its devices, or empty on
// a CPU slot.
func (g *GPU) Run(ctx context.Context, job *Job) (any, error) {
	return g.inner.Run(ctx, job)
}

// RunsCommands reports whether the inner backend runs commands; see
// [CommandRunner].
func (g *GPU) RunsCommands() bool { return runsCommands(g.inner) }
