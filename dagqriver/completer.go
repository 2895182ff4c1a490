package dagqriver

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// completer completes the jobs of one worker process in groups: while one
// group's statement is on its way, the jobs that finish wait and go
// together in the next (group commit, as the inserter does). A job alone
// is completed at once, so a chain pays one statement per hop, while a
// busy worker pays one per group instead of a transaction per job. Its
// goroutine exists only while jobs wait.
type completer struct {
	pool *pgxpool.Pool

	mu      sync.Mutex
	pending []*completeReq
	running bool
}

type completeReq struct {
	id     int64
	output []byte // the job's output (JSON of output)
	err    error
	done   chan struct{}
}

// completeSQL marks running jobs completed with their outputs, as River's
// own completion does (River's later attempt to complete them finds them
// no longer running and changes nothing).
const completeSQL = `
UPDATE river_job SET state = 'completed', finalized_at = now(), metadata = jsonb_set(river_job.metadata, '{output}', x.output)
FROM unnest($1::bigint[], $2::jsonb[]) AS x(id, output)
WHERE river_job.id = x.id AND river_job.state = 'running'`

// complete records output as job id's outcome, completes it, and returns
// once that is committed.
func (c *completer) complete(id int64, output []byte) error {
	r := &completeReq{id: id, output: output, done: make(chan struct{})}
	c.mu.Lock()
	c.pending = append(c.pending, r)
	if !c.running {
		c.running = true
		go c.loop()
	}
	c.mu.Unlock()
	<-r.done
	return r.err
}

func (c *completer) loop() {
	for {
		c.mu.Lock()
		batch := c.pending[:min(len(c.pending), maxBatch)]
		c.pending = c.pending[len(batch):]
		if len(batch) == 0 {
			c.pending = nil
			c.running = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		ids := make([]int64, len(batch))
		outs := make([]string, len(batch))
		for i, r := range batch {
			ids[i], outs[i] = r.id, string(r.output)
		}
		_, err := c.pool.Exec(context.Background(), completeSQL, ids, outs)
		for _, r := range batch {
			r.err = err
			close(r.done)
		}
	}
}
