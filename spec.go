package dagq

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"
)

// Spec declares a task by name, for graphs built from data (a pipeline
// file, a test plan) rather than code. Dependencies are by name: other
// specs of the same Add or Plan, or tasks already in the scheduler. A spec
// runs either Run (on a backend that runs functions, such as Local) or Cmd
// (on a process backend); its result is only success or failure.
type Spec struct {
	Name    string   // unique, required
	Deps    []string // names of other specs or of already-submitted tasks
	Queue   string   // the default queue if empty
	Backend string   // the default backend if empty

	Weight   float64
	Priority int
	Tenant   string
	Cost     float64
	Key      string
	Needs    Resources
	Uses     map[string]int // resource pools
	Trigger  TriggerRule

	Timeout time.Duration // per attempt; 0 = none
	Retries int           // more attempts after a failure
	Backoff time.Duration // before the first retry, doubling after

	Run func(ctx context.Context) error // or
	Cmd []string                        // a process, run by a process backend,
	Env []string                        // with these "KEY=value" entries added to its environment (see [Env])
	Dir string                          // in this working directory (see [Dir])
}

// Add validates specs and adds them all, or, if anything is wrong, adds
// none and returns the first problem: a [*GraphError] naming the spec and
// what is wrong with it (empty or duplicate name, unknown dependency,
// self-dependency, unknown queue, backend or pool, neither or both of Run
// and Cmd, Env or Dir without Cmd, an Env entry without '=', a NaN Weight or Cost, negative Retries, Backoff or Needs.GPUs,
// an unknown Trigger, a pool amount out of range, a Key whose store lookup
// failed or whose twin has a result type) or a [*CycleError]. Every check
// that submission makes is made here: a spec Add accepts never fails for
// one of its fields. Names must
// also differ from every task already in the scheduler. Add is safe for
// concurrent use, also while running; after Shutdown it returns ErrClosed.
// Tasks get their IDs in a topological order, ties in the order given, so
// FIFO starts ready specs in that order.
func (s *Scheduler) Add(specs ...Spec) error {
	keys := s.loadSpecKeys(specs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == stateClosed {
		return fmt.Errorf("dagq: add: %w", ErrClosed)
	}
	if err := s.roomLocked(len(specs)); err != nil {
		return fmt.Errorf("dagq: add: %w", err)
	}
	g, err := validate(specs, func(name string) bool { return s.byName[name] != nil })
	if err != nil {
		return err
	}
	queues := make([]*Queue, len(specs))
	configs := make([]taskConfig, len(specs))
	for i := range specs {
		configs[i] = specs[i].config()
		if keys != nil {
			configs[i].keyFound, configs[i].keyErr = keys[i].keyFound, keys[i].keyErr
		}
		if queues[i], err = s.checkSpecLocked(&specs[i], &configs[i]); err != nil {
			return err
		}
	}
	if len(specs) > len(s.byName) { // room for the names at once, not by doublings
		byName := make(map[string]*node, len(s.byName)+len(specs))
		maps.Copy(byName, s.byName)
		s.byName = byName
	}
	// One allocation for the tasks, one for the dependency lists that do
	// not fit in a task's own buffer: none per spec.
	nodes := make([]node, len(specs))
	long := 0
	for i := range specs {
		if k := int(g.start[i+1] - g.start[i]); k > len(nodes[i].depBuf) {
			long += k
		}
	}
	flat := make([]*node, long)
	now := s.now() // one instant for the whole, atomic, Add
	for _, i := range g.order {
		sp, n := &specs[i], &nodes[i]
		n.body = sp.Run
		ds := g.dep[g.start[i]:g.start[i+1]]
		deps := n.depBuf[:0]
		if len(ds) > len(n.depBuf) {
			deps, flat = flat[:0:len(ds)], flat[len(ds):]
		}
		for _, j := range ds {
			if j >= 0 {
				deps = append(deps, &nodes[j])
			} else {
				deps = append(deps, s.byName[sp.Deps[-j-1]])
			}
		}
		s.addLocked(queues[i], n, &configs[i], deps, nil, now)
	}
	s.dispatchAtLocked(false, now)
	return nil
}

// checkSpecLocked makes every check that submitting the spec, with c its
// options, would make, so that Add adds nothing rather than a task that
// fails at once; it returns the spec's queue.
func (e *engine) checkSpecLocked(sp *Spec, c *taskConfig) (*Queue, error) {
	bad := func(format string, a ...any) error {
		return &GraphError{Spec: sp.Name, Reason: fmt.Sprintf(format, a...)}
	}
	if e.byName[sp.Name] != nil {
		return nil, bad("a task with this name already exists")
	}
	if reason := c.check(); reason != "" {
		return nil, bad("%s", reason)
	}
	if c.keyErr != nil {
		return nil, bad("%s", unprefixed(c.keyErr))
	}
	if sp.Key != "" {
		if t := e.twinLocked(sp.Key); t != nil && resultType(t) != reflect.TypeFor[noValue]() {
			return nil, bad("key %q: %s: task %s has result type %v, a spec none", sp.Key, unprefixed(ErrKeyType), t.label(), resultType(t))
		}
	}
	q := e.def
	if sp.Queue != "" {
		if q = e.queues[sp.Queue]; q == nil {
			return nil, bad("unknown queue %q", sp.Queue)
		}
	}
	switch {
	case sp.Run == nil && len(sp.Cmd) == 0:
		return nil, bad("neither Run nor Cmd is set")
	case sp.Run != nil && len(sp.Cmd) > 0:
		return nil, bad("both Run and Cmd are set")
	}
	b, reason := e.backendForLocked(sp.Backend, len(sp.Cmd) > 0)
	switch {
	case b == nil:
		return nil, bad("%s", reason)
	case b.capa != nil:
		if err := admitSafely(b, &Job{Name: sp.Name, Queue: q.name, Cmd: sp.Cmd, Needs: sp.Needs, Key: sp.Key}); err != nil {
			return nil, bad("backend %q: %v", b.name, err)
		}
	case sp.Needs.GPUs > 0:
		return nil, bad("needs %d GPUs but backend %q has no devices", sp.Needs.GPUs, b.name)
	}
	for _, u := range c.uses {
		if p := e.pools[u.Pool]; p == nil {
			return nil, bad("unknown resource pool %q", u.Pool)
		} else if u.Amount < 1 || u.Amount > p.capacity {
			return nil, bad("uses %d of pool %q, want 1 to its capacity %d", u.Amount, u.Pool, p.capacity)
		}
	}
	return q, nil
}

// config turns a spec's settings into task options.
func (sp *Spec) config() taskConfig {
	c := taskConfig{
		name: sp.Name, weight: sp.Weight, priority: sp.Priority, tenant: sp.Tenant,
		cost: sp.Cost, backend: sp.Backend, needs: sp.Needs, key: sp.Key,
		timeout: sp.Timeout, retries: sp.Retries, backoff: sp.Backoff, trigger: sp.Trigger,
	}
	if len(sp.Uses) > 0 {
		for _, name := range slices.Sorted(maps.Keys(sp.Uses)) {
			c.uses = append(c.uses, Use{name, sp.Uses[name]})
		}
	}
	if len(sp.Cmd) > 0 {
		c.cmd = slices.Clone(sp.Cmd)
	}
	c.env, c.dir = slices.Clone(sp.Env), sp.Dir
	return c
}
