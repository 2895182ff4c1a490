package dagqriver

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
)

func TestInsertIsIdempotentPerTaskAttempt(t *testing.T) {
	pool := testPool(t)
	b := newTestBackend(t, pool, Config{})
	startWorker(t, testQueue(t), time.Hour)
	job := &dagq.Job{ID: 1, Attempt: 1, Handler: "seed", Args: json.RawMessage(`3`)}
	for range 2 { // the second Run finds the finished job and answers from its row
		v, err := b.Run(t.Context(), job)
		require.NoError(t, err)
		require.JSONEq(t, `23758`, string(v.(dagq.JSONResult)))
	}
	var jobs int
	require.NoError(t, pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE args->>'run' = $1`, b.run).Scan(&jobs))
	require.Equal(t, 1, jobs)
}

func TestInsertsAreBatched(t *testing.T) {
	pool := testPool(t)
	b := newTestBackend(t, pool, Config{})
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := b.ins.insert(testInsertParams(b, i))
			require.NoError(t, err)
		})
	}
	wg.Wait()
	// Jobs inserted by one InsertMany share their creation time.
	var batches int
	require.NoError(t, pool.QueryRow(t.Context(),
		`SELECT count(DISTINCT created_at) FROM river_job WHERE args->>'run' = $1`, b.run).Scan(&batches))
	require.Less(t, batches, n/2)
}

func testInsertParams(b *Backend, i int) river.InsertManyParams {
	return b.params(&dagq.Job{ID: dagq.TaskID(i + 1), Attempt: 1, Handler: "seed", Args: json.RawMessage(`1`)})
}
