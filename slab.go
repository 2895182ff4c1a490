package dagq

import (
	"reflect"
	"sync"
)

// slabBytes is the size of the arrays tasks are taken from: the largest
// size class of small objects, so that rounding wastes almost nothing
// (a larger object would be rounded up to whole pages).
const slabBytes = 32 << 10

// slabs hands out the typed tasks of Submit and Then from arrays of
// slabBytes (about a hundred tasks each), one allocation per array
// instead of one per task:
// the scheduler keeps every task until it is dropped, so an array lives
// no longer than its tasks would have. Keyed by the task's type; its own
// lock, so that taking a task does not wait for the scheduler's.
type slabs struct {
	mu sync.Mutex
	m  map[reflect.Type]any // *[]V of the type V
}

// take returns a zero V from q's scheduler's slabs (a new one if q is nil).
func take[V any](q *Queue) *V {
	if q == nil {
		return new(V)
	}
	sl := &q.s.slabs
	t := reflect.TypeFor[V]()
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.m == nil {
		sl.m = map[reflect.Type]any{}
	}
	p, _ := sl.m[t].(*[]V)
	if p == nil {
		p = new([]V)
		sl.m[t] = p
	}
	if len(*p) == 0 {
		*p = make([]V, max(slabBytes/int(t.Size()), 1))
	}
	v := &(*p)[0]
	*p = (*p)[1:]
	return v
}
