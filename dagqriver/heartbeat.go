package dagqriver

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// heartbeat records that a worker is alive, and runs again the jobs of
// workers that stopped recording it: River's own rescuer only notices a
// dead worker once a job has run for RescueStuckJobsAfter, which must
// exceed the longest task (hours), and it looks every 30 s.
type heartbeat struct {
	every     time.Duration // between beats; ≤ 0: none
	deadAfter time.Duration // silence after which a worker is dead
	pool      *pgxpool.Pool
	id        string // the worker's River client ID, as in river_job.attempted_by
	log       *slog.Logger
}

// beatSQL records that worker $1 is alive now.
const beatSQL = `
INSERT INTO dagq_river_worker (id, seen_at) VALUES ($1, now())
ON CONFLICT (id) DO UPDATE SET seen_at = now()`

// reapSQL forgets the workers silent for $1 and makes their running dagq
// jobs available again (or discarded, with no attempt left), with an
// error naming the worker, as River's rescuer does for a stuck job.
const reapSQL = `
WITH dead AS (
	DELETE FROM dagq_river_worker WHERE seen_at < now() - $1::interval RETURNING id
)
UPDATE river_job j SET
	state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'available' END::river_job_state,
	scheduled_at = now(),
	finalized_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
	errors = array_append(coalesce(j.errors, '{}'), jsonb_build_object('at', now(), 'attempt', j.attempt,
		'error', 'dagq: river: worker ' || d.id || ' stopped sending heartbeats', 'trace', ''))
FROM dead d
WHERE j.state = 'running' AND j.kind = '` + kind + `' AND j.attempted_by[array_length(j.attempted_by, 1)] = d.id`

// beat records that the worker is alive.
func (h *heartbeat) beat(ctx context.Context) error {
	_, err := h.pool.Exec(ctx, beatSQL, h.id)
	return err
}

// loop beats and reaps every h.every until ctx ends. Database trouble is
// logged: the next tick tries again.
func (h *heartbeat) loop(ctx context.Context) {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := h.beat(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("dagq: river: heartbeat", "worker", h.id, "err", err)
		}
		tag, err := h.pool.Exec(ctx, reapSQL, h.deadAfter.String())
		switch {
		case err != nil && ctx.Err() == nil:
			h.log.Warn("dagq: river: looking for dead workers", "err", err)
		case err == nil && tag.RowsAffected() > 0:
			h.log.Warn("dagq: river: jobs of dead workers run again", "jobs", tag.RowsAffected())
		}
	}
}

// leave forgets the worker, which stopped cleanly.
func (h *heartbeat) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := h.pool.Exec(ctx, `DELETE FROM dagq_river_worker WHERE id = $1`, h.id); err != nil {
		h.log.Warn("dagq: river: leaving", "worker", h.id, "err", err)
	}
}
