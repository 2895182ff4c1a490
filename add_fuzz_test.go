package dagq_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/dagq/dagq"
)

// fieldSpecsFrom decodes arbitrary bytes into a chain of specs ("s0" ←
// "s1" ← ...) whose fields, not whose shape, vary: each spec takes nine
// bytes for Retries, Backoff, Needs.GPUs, Trigger, Weight, Cost, its pool
// amount, its queue and its backend, with values inside and outside what
// is valid (negative counts, NaN and infinite numbers, unknown rules,
// queues and backends).
func fieldSpecsFrom(data []byte) []dagq.Spec {
	next := func() int8 {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int8(b)
	}
	number := func() float64 {
		switch b := next(); b % 4 {
		case 1:
			return math.NaN()
		case 2:
			return math.Inf(int(b))
		default:
			return float64(b)
		}
	}
	queues := []string{"", "q", "nope"}
	backends := []string{"", "local", "gpu", "nope"}
	ok := func(context.Context) error { return nil }
	var specs []dagq.Spec
	for i := 0; len(data) > 0 && i < 16; i++ {
		sp := dagq.Spec{Name: "s" + string(rune('a'+i)), Run: ok}
		if i > 0 {
			sp.Deps = []string{specs[i-1].Name}
		}
		sp.Retries = int(next() % 3)
		sp.Backoff = time.Duration(next() % 3)
		sp.Needs.GPUs = int(next() % 3)
		sp.Trigger = dagq.TriggerRule(uint8(next()) % 5)
		sp.Weight, sp.Cost = number(), number()
		if a := int(next() % 4); a != 0 {
			sp.Uses = map[string]int{"pool": a}
		}
		sp.Queue = queues[uint8(next())%3]
		sp.Backend = backends[uint8(next())%4]
		specs = append(specs, sp)
	}
	return specs
}

// FuzzAddFields: Add is all or nothing. On a chain of specs with any
// field values it either refuses with a *GraphError and adds nothing, or
// every task it added succeeds (their bodies do): no field it accepted
// fails a task later.
func FuzzAddFields(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 2})
	f.Add([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0xff, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0xff, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 3, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 2, 0xfe, 3, 0, 0})
	f.Add([]byte{2, 2, 2, 2, 0, 0, 0, 0, 2, 1, 1, 1, 1, 0, 0, 1, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		gpu, err := dagq.NewGPU("0")
		if err != nil {
			t.Fatal(err)
		}
		s := dagq.New(dagq.WithBackend("gpu", gpu), dagq.WithResource("pool", 2))
		defer s.Shutdown(bg)
		if _, err := s.Queue("q", 2); err != nil {
			t.Fatal(err)
		}
		specs := fieldSpecsFrom(data)
		err = s.Add(specs...)
		var ge *dagq.GraphError
		switch {
		case err != nil && !errors.As(err, &ge):
			t.Fatalf("Add: want a *GraphError, got %T %v", err, err)
		case err != nil:
			if n := s.Stats().Submitted; n != 0 {
				t.Fatalf("Add refused (%v) but added %d tasks", err, n)
			}
		default:
			ctx, cancel := context.WithTimeout(bg, time.Minute)
			defer cancel()
			if err := s.Run(ctx); err != nil {
				t.Fatalf("Add accepted %+v, then: %v", specs, err)
			}
		}
	})
}
