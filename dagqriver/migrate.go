package dagqriver

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// channel is the PostgreSQL notification channel of finished dagq jobs.
const channel = "dagq_river_done"

// triggerSQL makes River's job table NOTIFY the submitters when a dagq
// job completes, is discarded or cancelled, and creates the tables of the
// workers' heartbeats (heartbeat.go) and of Store's results (store.go). The payload carries the
// outcome when it fits in a notification, else "big" and the submitter
// reads the row.
const triggerSQL = `
SELECT pg_advisory_xact_lock(7206384113);
CREATE OR REPLACE FUNCTION dagq_river_job_done() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	note text;
BEGIN
	note := json_build_object('id', NEW.id, 'run', NEW.args->>'run', 'task', (NEW.args->>'task')::bigint,
		'attempt', (NEW.args->>'attempt')::bigint, 'state', NEW.state,
		'output', NEW.metadata->'output', 'error', NEW.errors[array_length(NEW.errors, 1)]->>'error')::text;
	IF octet_length(note) > 7900 THEN
		note := json_build_object('id', NEW.id, 'run', NEW.args->>'run', 'task', (NEW.args->>'task')::bigint,
			'attempt', (NEW.args->>'attempt')::bigint, 'state', NEW.state, 'big', true)::text;
	END IF;
	PERFORM pg_notify('` + channel + `', note);
	RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS dagq_river_job_done ON river_job;
CREATE TABLE IF NOT EXISTS dagq_river_worker (id text PRIMARY KEY, seen_at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS dagq_river_result (key text PRIMARY KEY, type text NOT NULL, value bytea NOT NULL, saved_at timestamptz NOT NULL);
CREATE TRIGGER dagq_river_job_done AFTER UPDATE OF state ON river_job FOR EACH ROW
	WHEN (NEW.kind = '` + kind + `' AND NEW.state IN ('completed', 'discarded', 'cancelled') AND OLD.state IS DISTINCT FROM NEW.state)
	EXECUTE FUNCTION dagq_river_job_done();
`

// Migrate brings the database up to date: River's own migrations (its
// migrator), then dagq's trigger on River's job table and its tables of
// worker heartbeats and of [Store] results. Nothing migrates
// on import or in [New]: call Migrate once, from a deployment step or a
// test. It is idempotent and safe to run from several processes at once.
// It uses River's tables in the connection's default schema.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("dagq: river: migrate: %w", err)
	}
	// River's migrator alone is not safe from several processes at once:
	// a session lock makes them take turns, and the later ones find
	// nothing to do.
	lock, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("dagq: river: migrate: %w", err)
	}
	defer lock.Release()
	if _, err := lock.Exec(ctx, `SELECT pg_advisory_lock(7206384114)`); err != nil {
		return fmt.Errorf("dagq: river: migrate: %w", err)
	}
	defer func() { _, _ = lock.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7206384114)`) }()
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("dagq: river: migrate River: %w", err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("dagq: river: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, triggerSQL); err != nil {
		return fmt.Errorf("dagq: river: migrate the trigger: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("dagq: river: migrate: %w", err)
	}
	return nil
}

// checkMigrated returns a clear error if Migrate has not run.
func checkMigrated(ctx context.Context, pool *pgxpool.Pool) error {
	var ok bool
	err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'dagq_river_job_done')
		AND to_regclass('dagq_river_worker') IS NOT NULL AND to_regclass('dagq_river_result') IS NOT NULL`).Scan(&ok)
	switch {
	case err != nil:
		return fmt.Errorf("dagq: river: the database is not reachable: %w", err)
	case !ok:
		return fmt.Errorf("dagq: river: the database lacks dagq's trigger on River's job table or its tables: call dagqriver.Migrate first")
	}
	return nil
}
