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
// Implementations must be safe for concurrent use. Load and Save are
// called outside the scheduler's locks; they may block on I/O.
type Store interface {
	// Load decodes the result recorded under key into into (a non-nil
	// pointer to the task's result type) and reports whether there was
	// one. A record that cannot be decoded into into's type is an error.
	Load(ctx context.Context, key string, into any) (found bool, err error)
	// Save records value as the result of key, replacing any older record.
	// A value the store cannot encode is an error, and nothing is stored.
	Save(ctx context.Context, key string, value any) error
}

// MemoryStore returns a Store that keeps results in memory, for one
// process. It is the default store. Values are kept as they are, not
// copied: do not change a value after its task returned it.
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
		return false, fmt.Errorf("dagq: memory store: key %q holds a %s, not a %s", key, src.Type(), dst.Elem().Type())
	}
	dst.Elem().Set(src)
	return true, nil
}

func (st *memoryStore) Save(_ context.Context, key string, value any) error {
	st.mu.Lock()
	st.m[key] = value
	st.mu.Unlock()
	return nil
}
