package dagq

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// FairShare shares a queue's slots between tenants (see [Tenant]) by round
// robin: each time a slot frees, the next tenant in turn that has a ready
// task and is under its quota starts its oldest ready task. Tasks without
// a Tenant form the tenant "". quotas caps how many of a tenant's tasks
// of the queue run at once; a tenant absent from quotas, or with quota 0,
// has no cap. When every tenant with ready tasks is at its cap the queue
// leaves its free slots unused. The turn passes on when a task starts, so the
// order is the same whatever limits the start: the queue's size, the
// scheduler's parallelism, a pool, a backend's capacity (GPU devices,
// Pull's waiting Next calls). With equal demand and equal task
// durations, tenants' completed counts stay within one of each other.
//
// FairShare copies quotas and panics if one is negative. Each queue using
// the policy keeps its own turn and counts. Push, Pop and the
// bookkeeping of runs are O(1); choosing the next task is O(1) plus one
// step per tenant skipped because it is empty or at its cap.
func FairShare(quotas map[string]int) Policy {
	for t, n := range quotas {
		if n < 0 {
			panic(fmt.Sprintf("dagq: FairShare: tenant %q has quota %d, want ≥ 0", t, n))
		}
	}
	return fairShare{maps.Clone(quotas)}
}

type fairShare struct{ quotas map[string]int }

func (p fairShare) NewReadySet() ReadySet {
	return &fairSet{quotas: p.quotas, byName: map[string]*tenantQueue{}}
}

// String returns "fair-share" followed by the quotas in name order.
func (p fairShare) String() string {
	if len(p.quotas) == 0 {
		return "fair-share"
	}
	var b strings.Builder
	b.WriteString("fair-share(")
	for i, t := range slices.Sorted(maps.Keys(p.quotas)) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%d", t, p.quotas[t])
	}
	b.WriteByte(')')
	return b.String()
}

// tenantQueue is one tenant's ready tasks, oldest first, and its count of
// running tasks.
type tenantQueue struct {
	tasks   []*node
	head    int
	running int
	quota   int
	slot    int // index in fairSet.ring
}

func (tq *tenantQueue) front() *node {
	for tq.head < len(tq.tasks) {
		if n := tq.tasks[tq.head]; n.inReady {
			return n
		}
		tq.drop()
	}
	return nil
}

func (tq *tenantQueue) drop() {
	tq.tasks[tq.head] = nil
	tq.head++
	if tq.head == len(tq.tasks) {
		tq.tasks, tq.head = tq.tasks[:0], 0
	} else if tq.head >= 64 && tq.head*2 >= len(tq.tasks) {
		k := copy(tq.tasks, tq.tasks[tq.head:])
		clear(tq.tasks[k:])
		tq.tasks, tq.head = tq.tasks[:k], 0
	}
}

// fairSet is FairShare's ready set: a queue per tenant and a turn that
// goes round the tenants in the order they first appeared.
type fairSet struct {
	quotas map[string]int
	byName map[string]*tenantQueue
	ring   []*tenantQueue
	turn   int // index in ring of the tenant whose turn it is; passed on when a task starts
	next   int // index in ring of the tenant Peek chose, or -1
}

func (s *fairSet) tenant(n *node) *tenantQueue {
	name := n.tenant()
	tq := s.byName[name]
	if tq == nil {
		tq = &tenantQueue{quota: s.quotas[name], slot: len(s.ring)}
		s.byName[name] = tq
		s.ring = append(s.ring, tq)
	}
	return tq
}

// Push adds t at the end of its tenant's queue.
func (s *fairSet) Push(t Task) {
	tq := s.tenant(t.n)
	tq.tasks = append(tq.tasks, t.n)
}

// Peek returns the oldest ready task of the next tenant in turn that is
// under its quota.
func (s *fairSet) Peek() Task {
	for i := range s.ring {
		k := (s.turn + i) % len(s.ring)
		tq := s.ring[k]
		if tq.quota > 0 && tq.running >= tq.quota {
			continue
		}
		if n := tq.front(); n != nil {
			s.next = k
			return Task{n}
		}
	}
	return Task{}
}

// Pop removes the task Peek returns. The turn passes on only when a task
// starts (Started): a task popped but set aside because its backend or
// pool is full does not use up its tenant's turn.
func (s *fairSet) Pop() Task {
	t := s.Peek()
	if t.n != nil {
		s.ring[s.next].drop()
	}
	return t
}

// Unpop puts back at the head of its tenant's queue a task that Pop
// returned and that could not start; tasks are put back in the reverse
// order of their Pop.
func (s *fairSet) Unpop(t Task) {
	tq := s.tenant(t.n)
	if tq.head > 0 {
		tq.head--
		tq.tasks[tq.head] = t.n
		return
	}
	tq.tasks = slices.Insert(tq.tasks, 0, t.n)
}

// Started counts a running task against its tenant's quota and passes the
// turn to the next tenant.
func (s *fairSet) Started(t Task) {
	tq := s.tenant(t.n)
	tq.running++
	s.turn = (tq.slot + 1) % len(s.ring)
}

// Finished releases a running task's place in its tenant's quota.
func (s *fairSet) Finished(t Task) { s.tenant(t.n).running-- }
