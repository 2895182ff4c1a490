package dagqriver

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// CancelRun cancels every unfinished job of the run runID ([Config.RunID])
// and returns how many it cancelled: those not yet started are cancelled
// at once, and running handlers have their context cancelled on their
// workers (River's JobCancel). Use it for a run whose submitter is gone
// for good; a submitter restarted with the same RunID would re-attach
// instead. Jobs that finished are left as they are.
func CancelRun(ctx context.Context, pool *pgxpool.Pool, runID string) (int, error) {
	if runID == "" {
		return 0, fmt.Errorf("dagq: river: CancelRun: empty run ID")
	}
	if err := checkMigrated(ctx, pool); err != nil {
		return 0, err
	}
	rows, err := pool.Query(ctx, `SELECT id FROM river_job WHERE kind = '`+kind+`' AND args->>'run' = $1
		AND state NOT IN ('completed', 'discarded', 'cancelled')`, runID)
	if err != nil {
		return 0, fmt.Errorf("dagq: river: CancelRun %q: %w", runID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("dagq: river: CancelRun %q: %w", runID, err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return 0, fmt.Errorf("dagq: river: CancelRun: %w", err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("dagq: river: CancelRun %q: %w", runID, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	for _, id := range ids {
		if _, err := client.JobCancelTx(ctx, tx, id); err != nil {
			return 0, fmt.Errorf("dagq: river: CancelRun %q: job %d: %w", runID, id, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("dagq: river: CancelRun %q: %w", runID, err)
	}
	return len(ids), nil
}
