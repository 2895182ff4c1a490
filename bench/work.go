package bench

import (
	"sync"
	"sync/atomic"
	"time"
)

// Work is a task body: CPU work of a calibrated duration (none for
// "empty").
type Work struct {
	Name string
	D    time.Duration
}

// Works are the task bodies measured.
var Works = []Work{{"empty", 0}, {"1us", time.Microsecond}, {"50us", 50 * time.Microsecond}}

var (
	calibrate sync.Once
	perMicro  int           // spin iterations per microsecond
	sink      atomic.Uint64 // keeps spin's results alive
)

// spin burns about n iterations of integer work that the compiler cannot
// remove.
func spin(n int) uint64 {
	x := uint64(n) | 1
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// Body returns a task body doing w's work.
func (w Work) Body() func(int) {
	if w.D == 0 {
		return func(int) {}
	}
	calibrate.Do(func() {
		const probe = 5_000_000
		start := time.Now()
		sink.Add(spin(probe))
		perMicro = max(int(probe/time.Since(start).Microseconds()), 1)
	})
	n := perMicro * int(w.D/time.Microsecond)
	return func(int) { sink.Add(spin(n)) }
}
