package dagqtest_test

import (
	"time"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/dagqtest"
)

// sim makes events with consistent Stats, as a scheduler would, so that a
// test can feed a Checker exactly the history it wants.
type sim struct {
	c      *dagqtest.Checker
	counts dagq.Counts
	queues map[string]dagq.Counts
	deps   map[dagq.TaskID][]dagq.TaskID
	now    time.Time
}

func newSim(l dagqtest.Limits) *sim {
	return &sim{c: dagqtest.NewChecker(l), queues: map[string]dagq.Counts{}, deps: map[dagq.TaskID][]dagq.TaskID{}, now: time.Now()}
}

func bump(k *dagq.Counts, s dagq.Status, d int) {
	switch s {
	case dagq.Blocked:
		k.Blocked += d
	case dagq.Queued:
		k.Queued += d
	case dagq.Running:
		k.Running += d
	case dagq.Succeeded:
		k.Succeeded += d
	case dagq.Failed:
		k.Failed += d
	case dagq.Killed:
		k.Killed += d
	}
}

var kinds = map[dagq.Status]dagq.EventKind{
	dagq.Blocked: dagq.TaskSubmitted, dagq.Queued: dagq.TaskQueued, dagq.Running: dagq.TaskStarted,
	dagq.Succeeded: dagq.TaskFinished, dagq.Failed: dagq.TaskFinished, dagq.Killed: dagq.TaskFinished,
}

// move feeds the checker task id's transition from → to on queue q.
func (s *sim) move(id dagq.TaskID, q string, from, to dagq.Status, edit ...func(*dagq.Event)) {
	qc := s.queues[q]
	for _, k := range []*dagq.Counts{&s.counts, &qc} {
		if from == 0 {
			k.Submitted++
		} else {
			bump(k, from, -1)
		}
		bump(k, to, 1)
	}
	s.queues[q] = qc
	s.now = s.now.Add(time.Millisecond)
	e := dagq.Event{
		Kind: kinds[to], Time: s.now, From: from, To: to,
		Task:  dagq.TaskInfo{ID: id, Queue: q, Status: to, Deps: s.deps[id]},
		Stats: dagq.Stats{Counts: s.counts, Queues: map[string]dagq.Counts{}},
	}
	for name, c := range s.queues {
		e.Stats.Queues[name] = c
	}
	for _, f := range edit {
		f(&e)
	}
	s.c.Observe(e)
}

// start submits task id and starts it.
func (s *sim) start(id dagq.TaskID, q string) {
	s.move(id, q, 0, dagq.Blocked)
	s.move(id, q, dagq.Blocked, dagq.Queued)
	s.move(id, q, dagq.Queued, dagq.Running)
}

// run takes task id through a whole successful life.
func (s *sim) run(id dagq.TaskID, q string) {
	s.start(id, q)
	s.move(id, q, dagq.Running, dagq.Succeeded)
}
