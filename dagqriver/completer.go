package dagqriver

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// completer completes the jobs of one worker process by group commit (see
// batcher): a job that finishes alone is completed at once, so a chain
// pays one statement per hop, while a busy worker pays one per group
// instead of a transaction per job.
type completer struct {
	pool  *pgxpool.Pool
	batch batcher[*completeReq]
}

// newCompleter returns a completer on pool.
func newCompleter(pool *pgxpool.Pool) *completer {
	c := &completer{pool: pool}
	c.batch.run = c.flush
	return c
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
	c.batch.add(r)
	<-r.done
	return r.err
}

// flush completes a group of jobs in one statement.
func (c *completer) flush(group []*completeReq) {
	ids := make([]int64, len(group))
	outs := make([]string, len(group))
	for i, r := range group {
		ids[i], outs[i] = r.id, string(r.output)
	}
	_, err := c.pool.Exec(context.Background(), completeSQL, ids, outs)
	for _, r := range group {
		r.err = err
		close(r.done)
	}
}
