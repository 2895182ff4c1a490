package dagqriver

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// maxBatch bounds the jobs of one InsertMany.
const maxBatch = 1000

// inserter inserts jobs in batches: while one InsertMany is on its way,
// the jobs that arrive wait and go together in the next (group commit).
// Its goroutine exists only while jobs wait.
type inserter struct {
	client *river.Client[pgx.Tx]

	mu      sync.Mutex
	pending []*insertReq
	running bool
	wg      sync.WaitGroup
}

type insertReq struct {
	params river.InsertManyParams
	res    *rivertype.JobInsertResult
	err    error
	done   chan struct{}
}

// insert inserts one job and blocks until it is in the database. It is
// not cut short by the caller's context, so that a job is never inserted
// behind the back of a caller that gave up.
func (in *inserter) insert(p river.InsertManyParams) (*rivertype.JobInsertResult, error) {
	r := &insertReq{params: p, done: make(chan struct{})}
	in.mu.Lock()
	in.pending = append(in.pending, r)
	if !in.running {
		in.running = true
		in.wg.Add(1)
		go in.loop()
	}
	in.mu.Unlock()
	<-r.done
	return r.res, r.err
}

func (in *inserter) loop() {
	defer in.wg.Done()
	for {
		in.mu.Lock()
		batch := in.pending[:min(len(in.pending), maxBatch)]
		in.pending = in.pending[len(batch):]
		if len(batch) == 0 {
			in.pending = nil
			in.running = false
			in.mu.Unlock()
			return
		}
		in.mu.Unlock()
		in.flush(batch)
	}
}

// flush inserts a batch, trying again twice on error: the jobs' unique
// keys make a repeated insert harmless.
func (in *inserter) flush(batch []*insertReq) {
	params := make([]river.InsertManyParams, len(batch))
	for i, r := range batch {
		params[i] = r.params
	}
	var res []*rivertype.JobInsertResult
	var err error
	for try := range 3 {
		if try > 0 {
			time.Sleep(100 * time.Millisecond << try)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err = in.client.InsertMany(ctx, params)
		cancel()
		if err == nil {
			break
		}
	}
	for i, r := range batch {
		if err != nil {
			r.err = err
		} else {
			r.res = res[i]
		}
		close(r.done)
	}
}

// wait blocks until no insert is on its way.
func (in *inserter) wait() { in.wg.Wait() }
