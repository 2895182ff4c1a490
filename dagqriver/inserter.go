package dagqriver

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// inserter inserts jobs by group commit (see batcher): one InsertMany
// for the jobs that arrived while the previous one was on its way.
type inserter struct {
	client *river.Client[pgx.Tx]
	batch  batcher[*insertReq]
}

// newInserter returns an inserter of client's.
func newInserter(client *river.Client[pgx.Tx]) *inserter {
	in := &inserter{client: client}
	in.batch.run = in.flush
	return in
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
	in.batch.add(r)
	<-r.done
	return r.res, r.err
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
func (in *inserter) wait() { in.batch.wait() }
