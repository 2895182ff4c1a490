package dagq

import (
	"context"
	"fmt"
	"reflect"
	"sync"
)

// Store records the results of tasks that have a [Key], so that later
// tasks with the same key (in this run, or in a later one with a durable
// Store) succeed from the record instead of running. Only successes are
// recorded: a key whose task failed runs again.
//
// Implementations must be safe for concurrent use. The scheduler never
// calls them with its lock held, so they may block on I/O: Load runs in
// the goroutine that submits a keyed task (Submit, Then, Scheduler.Add)
// before the task enters the graph, Save on the worker goroutine of a task
// whose attempt succeeded, before the task is marked Succeeded. A task
// with a Key therefore costs one Load at submission and, if it runs and
// succeeds, one Save.
//
// Values are the tasks' results as they are: a Store must not change
// them. A task declared with a [Spec] has no result; it records the empty
// struct{}{}.
type Store interface {
	// Load decodes the result recorded under key into into (a non-nil
	// pointer to the task's result type) and reports whether there was
	// one. When it reports false, into is unchanged. A record of another
	// type than into's element is an error that wraps [ErrKeyType]; when
	// into points to an interface type, any record that decodes is taken.
	// Load is called with a context that is never cancelled.
	Load(ctx context.Context, key string, into any) (found bool, err error)
	// Save records value as the result of key, replacing any older record.
	// It returns only once the record is as durable as the Store promises.
	// A value the store cannot encode is an error, and nothing is stored;
	// the task then fails with a [*KeyError] instead of losing its result
	// silently. ctx is the attempt's context: it is cancelled when the task
	// was killed (or timed out) meanwhile, and then Save should record
	// nothing and return ctx's error.
	Save(ctx context.Context, key string, value any) error
}

// MemoryStore returns a Store that keeps results in memory, for one
// process. It is the default store: each scheduler made without
// [WithStore] has one of its own. Values are kept as they are, not
// copied: do not change a value after its task returned it. Load takes a
// value of the exact type or of a type assignable to into's element.
// Safe for concurrent use; Load and Save cost a map access under a mutex.
func MemoryStore() Store { return &memoryStore{m: map[string]any{}} }

type memoryStore struct {
	mu sync.Mutex // guards m
	m  map[string]any
}

func (st *memoryStore) Load(_ context.Context, key string, into any) (bool, error) {
	st.mu.Lock()
	v, ok := st.m[key]
	st.mu.Unlock()
	if !ok {
		return false, nil
	}
	dst := reflect.ValueOf(into)
	if dst.Kind() != reflect.Pointer || dst.IsNil() {
		return false, fmt.Errorf("dagq: memory store: load %q into %T: want a non-nil pointer", key, into)
	}
	if v == nil {
		dst.Elem().SetZero()
		return true, nil
	}
	src := reflect.ValueOf(v)
	if !src.Type().AssignableTo(dst.Elem().Type()) {
		return false, fmt.Errorf("%w: memory store holds a %s under %q, not a %s", ErrKeyType, src.Type(), key, dst.Elem().Type())
	}
	dst.Elem().Set(src)
	return true, nil
}

func (st *memoryStore) Save(ctx context.Context, key string, value any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st.mu.Lock()
	st.m[key] = value
	st.mu.Unlock()
	return nil
}

// StoredType names value's Go type, for a [Store] that encodes results
// (as JSON, gob, …) and so must tell at Load whether a record was saved
// from the type it is asked to decode into: the package path and name of
// a named type ("example.com/geo.Point"), else the type's spelling
// ("[]int", "struct {}", "[]geo.Point"), and "" for nil. Record it with
// the encoded value in Save, and check it with [CheckStoredType] in Load.
func StoredType(value any) string { return storedType(reflect.TypeOf(value)) }

func storedType(t reflect.Type) string {
	switch {
	case t == nil:
		return ""
	case t.Name() != "" && t.PkgPath() != "":
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

// CheckStoredType reports whether a record of a value whose type was
// recorded (see [StoredType]) may be decoded into into, which must be a
// non-nil pointer. A record of another type than into's element is an
// error wrapping [ErrKeyType], as [Store.Load] must return. A record of a
// nil value ("") fits any type, and into an interface type any record is
// taken.
func CheckStoredType(recorded string, into any) error {
	dst := reflect.TypeOf(into)
	if dst == nil || dst.Kind() != reflect.Pointer || reflect.ValueOf(into).IsNil() {
		return fmt.Errorf("dagq: decoding a stored result into %T: want a non-nil pointer", into)
	}
	elem := dst.Elem()
	if want := storedType(elem); recorded != want && recorded != "" && elem.Kind() != reflect.Interface {
		return fmt.Errorf("%w: recorded %s, want %s", ErrKeyType, recorded, want)
	}
	return nil
}
