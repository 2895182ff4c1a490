package dagq

// Deduplication by [Key]. A keyed task is looked up twice: in the
// scheduler's Store before the scheduler's lock is taken (Store I/O never
// runs under it), then among the scheduler's own tasks under the lock.
// Per key, the scheduler remembers the task that runs it or succeeded
// with it, its leader (s.keys): later tasks with that key adopt its
// outcome or copy its value. A task that failed or was killed is forgotten, so the next
// task with its key runs again. The leader's result is saved by the worker
// that ran it, after the attempt and before the worker takes the lock.

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// ErrKeyType is wrapped by the error of a task whose [Key] is already used,
// by a task of this scheduler or by a result recorded in its [Store], with
// another result type. Such a task fails at submission and nothing else
// changes.
var ErrKeyType = errors.New("dagq: key used with another result type")

// KeyError is the error of a task whose [Key] could not be used: the key
// is taken by another result type (it wraps [ErrKeyType]), or the [Store]
// failed to load or to save the key's result.
type KeyError struct {
	Key string
	Err error
}

// Error returns e.g. `dagq: key "h1": save result: json: unsupported type`.
func (e *KeyError) Error() string {
	return fmt.Sprintf("dagq: key %q: %s", e.Key, strings.TrimPrefix(e.Err.Error(), "dagq: "))
}

// Unwrap returns the cause.
func (e *KeyError) Unwrap() error { return e.Err }

// noValue is what a [Spec] task with a key records: it has no result, only
// success.
type noValue = struct{}

// resultType is the type of n's value: its future's type parameter, or
// noValue for a spec.
func resultType(n *node) reflect.Type {
	if n.out == nil {
		return reflect.TypeFor[noValue]()
	}
	return reflect.TypeOf(n.out.valuePtr()).Elem()
}

// loadKey looks c's key up in s's store, decoding a recorded result into
// ptr (a pointer to the task's value), and notes the answer in c. It runs
// before the task enters the scheduler, outside the lock.
func (e *engine) loadKey(c *taskConfig, ptr any) {
	found, err := loadSafely(e.store, c.key, ptr)
	if err != nil {
		c.keyErr = &KeyError{Key: c.key, Err: fmt.Errorf("load result: %w", err)}
		return
	}
	c.keyFound = found
}

// loadSafely calls st.Load, turning a panic into a *PanicError.
func loadSafely(st Store, key string, into any) (found bool, err error) {
	defer recoverTo(&err)
	return st.Load(context.Background(), key, into)
}

// saveSafely calls st.Save, turning a panic into a *PanicError.
func saveSafely(ctx context.Context, st Store, key string, value any) (err error) {
	defer recoverTo(&err)
	return st.Save(ctx, key, value)
}

// keyOf returns the key set by opts, if any, without applying them.
func keyOf(opts []TaskOption) string {
	var key string
	for _, o := range opts {
		if k, ok := o.(keyOption); ok {
			key = string(k)
		}
	}
	return key
}

// loadSpecKeys looks up the keys of specs before Add takes the lock. It
// returns nil if no spec has a key.
func (e *engine) loadSpecKeys(specs []Spec) []taskConfig {
	var cs []taskConfig
	for i := range specs {
		if specs[i].Key == "" {
			continue
		}
		if cs == nil {
			cs = make([]taskConfig, len(specs))
		}
		cs[i].key = specs[i].Key
		e.loadKey(&cs[i], new(noValue))
	}
	return cs
}

// keyState is what a scheduler knows of one key. Guarded by Scheduler.mu.
type keyState struct {
	leader   *node   // the task that runs the key, or succeeded with it
	adopters []*node // tasks waiting for the leader's outcome
}

// twinLocked returns the task of this scheduler that runs key or succeeded
// with it, or nil.
func (e *engine) twinLocked(key string) *node {
	ks, ok := e.keys[key]
	if !ok || ks.leader.status == Failed || ks.leader.status == Killed {
		return nil
	}
	return ks.leader
}

// checkKeyLocked refuses a keyed task whose store lookup failed or whose
// key belongs to a task of another result type.
func (e *engine) checkKeyLocked(n *node, c *taskConfig) error {
	if c.keyErr != nil {
		return c.keyErr
	}
	if t := e.twinLocked(c.key); t != nil {
		if want, have := resultType(t), resultType(n); want != have {
			return &KeyError{Key: c.key, Err: fmt.Errorf("%w: task %s has result type %v, this task %v", ErrKeyType, t.label(), want, have)}
		}
	}
	return nil
}

// dedupLocked settles a new keyed task n, just Blocked: Succeeded from the
// store's record (found) or from a twin that succeeded, or adopting the
// outcome of a twin still pending. It reports whether it did; if not, n
// becomes the task that runs its key and goes on as any other task. n's
// dependencies are not waited for: its key stands for its result.
func (e *engine) dedupLocked(n *node, found bool, now int64) bool {
	key := n.x.key
	twin := e.twinLocked(key)
	switch {
	case found:
		e.cachedLocked(n, "result found in the store", now)
	case twin != nil && twin.status == Succeeded:
		copyValue(n, twin)
		e.cachedLocked(n, fromTwin(twin), now)
	case twin != nil:
		ks := e.keys[key]
		ks.adopters = append(ks.adopters, n)
		e.keys[key] = ks
		n.extra().reason = "adopts the outcome of twin " + twin.label()
	default:
		n.keyed = true
		if e.keys == nil {
			e.keys = map[string]keyState{}
		}
		e.keys[key] = keyState{leader: n}
		return false
	}
	return true
}

// cachedLocked makes a Blocked task Succeeded without running it.
func (e *engine) cachedLocked(n *node, reason string, now int64) {
	n.cached = true
	n.extra().reason = reason
	e.setStatusLocked(n, Succeeded, TaskFinished, reason, now)
}

// fromTwin is the reason of a task that took the result of twin.
func fromTwin(twin *node) string { return "result of twin " + twin.label() }

// copyValue copies the value of twin to n; they have the same result type.
func copyValue(n, twin *node) {
	if n.out != nil {
		reflect.ValueOf(n.out.valuePtr()).Elem().Set(reflect.ValueOf(twin.out.valuePtr()).Elem())
	}
}

// settleTwinsLocked runs when n, which runs its key, became terminal:
// the tasks that adopted its outcome get the same outcome and are
// returned on stack for their dependents to be resolved, and the key is
// forgotten unless n succeeded.
func (e *engine) settleTwinsLocked(n *node, stack []resolveStep, now int64) []resolveStep {
	ks, ok := e.keys[n.x.key]
	if !ok || ks.leader != n {
		return stack
	}
	if n.status == Succeeded {
		e.keys[n.x.key] = keyState{leader: n}
	} else {
		delete(e.keys, n.x.key)
	}
	for _, a := range ks.adopters {
		if a.status != Blocked {
			continue // cancelled meanwhile
		}
		switch n.status {
		case Succeeded:
			copyValue(a, n)
			e.cachedLocked(a, fromTwin(n), now)
		case Failed:
			a.x.reason = ""
			a.x.err = fmt.Errorf("dagq: twin %s with the same key failed: %w", n.label(), n.x.err)
			e.failed = append(e.failed, a)
			e.setStatusLocked(a, Failed, TaskFinished, "", now)
		default:
			e.killLocked(a, "twin "+n.label()+" with the same key killed: "+n.reason(), now)
		}
		stack = append(stack, resolveStep{n: a})
	}
	return stack
}

// saveKey records the result of n's successful attempt (v, from a backend
// that returns values) in the store. It runs on the worker, outside the
// lock; its error fails the attempt.
func (e *engine) saveKey(n *node, v any) error {
	var val any = noValue{}
	if n.out != nil {
		if v != nil && !n.backend.local {
			if err := n.out.setAny(v); err != nil {
				return err
			}
		}
		val = n.out.valueAny()
	}
	if err := saveSafely(n.ctx, e.store, n.x.key, val); err != nil {
		return &KeyError{Key: n.x.key, Err: fmt.Errorf("save result: %w", err)}
	}
	return nil
}
