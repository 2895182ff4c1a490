package dagqtest

import "github.com/dagq/dagq"

// count applies a transition to the checker's own counters.
func (c *Checker) count(queue string, from, to dagq.Status) {
	qc := c.queues[queue]
	if qc == nil {
		qc = &dagq.Counts{}
		c.queues[queue] = qc
	}
	for _, k := range []*dagq.Counts{&c.counts, qc} {
		if from == 0 {
			k.Submitted++
		} else {
			*at(k, from)--
		}
		*at(k, to)++
	}
}

func at(k *dagq.Counts, s dagq.Status) *int {
	switch s {
	case dagq.Blocked:
		return &k.Blocked
	case dagq.Queued:
		return &k.Queued
	case dagq.Running:
		return &k.Running
	case dagq.Succeeded:
		return &k.Succeeded
	case dagq.Failed:
		return &k.Failed
	}
	return &k.Killed
}

// checkStats compares an event's Stats with the counts of the events so
// far.
func (c *Checker) checkStats(e dagq.Event) {
	st := e.Stats
	if !c.ok(st.Counts == c.counts) {
		c.fail("%s of task %d: Stats %+v, events add up to %+v", e.Kind, e.Task.ID, st.Counts, c.counts)
	}
	if !c.ok(st.Blocked+st.Queued+st.Running+st.Succeeded+st.Failed+st.Killed == st.Submitted) {
		c.fail("%s of task %d: counts do not add up: %+v", e.Kind, e.Task.ID, st.Counts)
	}
	if e.Task.ID == 0 {
		return
	}
	if qc := c.queues[e.Task.Queue]; !c.ok(st.Queues[e.Task.Queue] == *qc) {
		c.fail("%s of task %d: Stats of queue %s %+v, events add up to %+v", e.Kind, e.Task.ID, e.Task.Queue, st.Queues[e.Task.Queue], *qc)
	}
	var sum dagq.Counts
	for _, q := range st.Queues {
		sum.Submitted += q.Submitted
		sum.Blocked += q.Blocked
		sum.Queued += q.Queued
		sum.Running += q.Running
		sum.Succeeded += q.Succeeded
		sum.Failed += q.Failed
		sum.Killed += q.Killed
	}
	if !c.ok(sum == st.Counts) {
		c.fail("%s of task %d: queues' counts sum to %+v, total %+v", e.Kind, e.Task.ID, sum, st.Counts)
	}
}
