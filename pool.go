package dagq

// pool is a named resource pool declared with WithResource. Its fields
// are guarded by Scheduler.mu.
//
// A ready task that does not fit the free capacity stays Queued and the
// scheduler starts lower-ranked tasks that fit, so one large request does
// not block the queue. To keep large requests from starving, a task passed
// over starveAfter times reserves the pool: from then on no other task
// takes capacity from it until the reserving task has started (or left
// the Queued status), so the pool drains until the large request fits. A
// task waiting for another's reservation reserves nothing (no deadlock).
type pool struct {
	name       string
	capacity   int
	used       int
	reservedBy *node
}

// fits reports whether n may take amount from the pool now.
func (p *pool) fits(n *node, amount int) bool {
	if r := p.reservedBy; r != nil && r != n && r.status == Queued {
		return false
	}
	return p.capacity-p.used >= amount
}
