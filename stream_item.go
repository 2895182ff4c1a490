package dagq

import (
	"fmt"
	"strconv"
)

// At returns the future of item i, a [Dep]: [Then](q, st.At(i), fn) runs fn
// with the item as soon as it is emitted, before the stream ends. The
// future succeeds when item i is emitted; fails with [ErrNoItem] if the
// stream succeeds with fewer items (or i < 0); and is killed, with a
// reason naming the stream and its error, if the stream fails or is killed
// before emitting it. At may be called at any time, also after the stream
// ended. It does not block; it is safe for concurrent use.
//
// Item futures are not tasks: ID returns the stream's ID, Info reports
// the name "<stream>[i]" ("stream[i]" for an unnamed stream), the stream
// as the only dependency and the statuses Blocked, then Succeeded, Failed
// or Killed; they are not counted in [Stats], have no events of their
// own (the stream's [TaskItem] events report the items), and
// [Scheduler.Task] and [Scheduler.Lookup] find the stream, not them.
//
// Cost: an item future (a few hundred bytes) per call for an item not yet
// emitted, shared by later calls for the same item until it is emitted,
// and held by the stream until it ends; a new one per call for an item
// that exists. Items nobody asked for cost no future.
func (st *Stream[T]) At(i int) *Future[T] {
	t := &st.task.node
	s := st.sched()
	if s == nil { // the stream was refused at submission
		f := &Future[T]{}
		f.detach(itemName(t.name, i), t.detachedInfo().Err)
		return f
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := st.pending[i]; f != nil {
		return f
	}
	now := s.now()
	f := &Future[T]{}
	n := &f.node
	n.q, n.backend, n.id, n.item = t.q, t.backend, t.id, true
	n.name = itemName(t.name, i)
	n.status = Blocked
	n.times[atSubmitted] = now
	n.depBuf[0] = t
	n.deps = n.depBuf[:1]
	switch {
	case i < 0:
		n.extra().err = fmt.Errorf("%w: index %d of stream %s is negative", ErrNoItem, i, t.label())
		s.setStatusLocked(n, Failed, TaskFinished, "", now)
	case i < len(st.items):
		f.value = st.items[i]
		s.setStatusLocked(n, Succeeded, TaskFinished, "", now)
	case !t.status.Terminal():
		t.outEdge = s.addEdgeLocked(edgeItem|uint32(s.items.Push(n)), t.outEdge)
		if st.pending == nil {
			st.pending = map[int]*Future[T]{}
		}
		st.pending[i] = f
	default:
		st.missLocked(n, st.missReasonLocked(), now)
	}
	return f
}

// itemName names item i of the stream named name.
func itemName(name string, i int) string {
	if name == "" {
		name = "stream"
	}
	return name + "[" + strconv.Itoa(i) + "]"
}

func (st *Stream[T]) endLocked(now int64) {
	t := &st.task.node
	t.x.stream = nil // from now on the items live as long as st
	if len(st.pending) > 0 {
		why := st.missReasonLocked()
		for _, f := range st.pending {
			st.missLocked(&f.node, why, now)
		}
		st.pending = nil
	}
	st.wakeLocked()
}

// missReasonLocked returns why an item the ended stream did not emit
// failed (a Failed status) or was killed: an error wrapping ErrNoItem if
// the stream succeeded, else a reason naming the stream and its error.
func (st *Stream[T]) missReasonLocked() error {
	t := &st.task.node
	if t.status == Succeeded {
		return fmt.Errorf("%w: stream %s ended after %d items", ErrNoItem, t.label(), len(st.items))
	}
	te := t.taskError()
	if t.status == Failed {
		return fmt.Errorf("stream %s failed after %d items: %v", t.label(), len(st.items), te.Err)
	}
	return fmt.Errorf("stream %s killed after %d items: %s", t.label(), len(st.items), te.Reason)
}

// missLocked settles item n, which the ended stream did not emit. Its
// dependents are resolved with the stream's (see resolveLocked).
func (st *Stream[T]) missLocked(n *node, why error, now int64) {
	s := n.q.s
	if st.task.status == Succeeded {
		n.extra().err = why
		s.setStatusLocked(n, Failed, TaskFinished, "", now)
		return
	}
	n.heir = true // its dependents inherit the reason, which names the stream
	s.killLocked(n, why.Error(), now)
}
