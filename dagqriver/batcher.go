package dagqriver

import "sync"

// maxBatch bounds the requests of one statement.
const maxBatch = 1000

// batcher runs requests in groups (group commit): while one group's
// statement is on its way, the requests that arrive wait and go together
// in the next, up to maxBatch at a time. A request alone goes at once. Its
// goroutine exists only while requests wait. The inserter and the
// completer are batchers.
type batcher[R any] struct {
	run func([]R) // runs one group and answers each of its requests

	mu      sync.Mutex
	pending []R
	running bool
	wg      sync.WaitGroup
}

// add queues r for the next group, starting the goroutine if none runs.
func (b *batcher[R]) add(r R) {
	b.mu.Lock()
	b.pending = append(b.pending, r)
	if !b.running {
		b.running = true
		b.wg.Add(1)
		go b.loop()
	}
	b.mu.Unlock()
}

func (b *batcher[R]) loop() {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		group := b.pending[:min(len(b.pending), maxBatch)]
		b.pending = b.pending[len(group):]
		if len(group) == 0 {
			b.pending = nil
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.run(group)
	}
}

// wait blocks until no group is on its way.
func (b *batcher[R]) wait() { b.wg.Wait() }
