package dagqriver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dagq/dagq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is a [dagq.Store] in the shared PostgreSQL database (table
// dagq_river_result, made by [Migrate]): the results of keyed tasks live
// beside the jobs, so that any submitter, on any machine, finds them. Each
// record is the result's JSON and its Go type; Save commits before it
// returns. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store of pool's database, on which [Migrate] must
// have run.
func NewStore(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	if err := checkMigrated(ctx, pool); err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

var _ dagq.Store = (*Store)(nil)

// Load decodes the result recorded under key into into, a non-nil
// pointer, and reports whether there was one. A record of another Go type
// than into's element is an error wrapping [dagq.ErrKeyType] (into an
// interface type, any record is decoded as JSON).
func (st *Store) Load(ctx context.Context, key string, into any) (bool, error) {
	if err := dagq.CheckStoredType("", into); err != nil {
		return false, fmt.Errorf("dagq: river: store: load %q: %w", key, err)
	}
	var typ string
	var value []byte
	err := st.pool.QueryRow(ctx, `SELECT type, value FROM dagq_river_result WHERE key = $1`, key).Scan(&typ, &value)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("dagq: river: store: load %q: %w", key, err)
	}
	if err := dagq.CheckStoredType(typ, into); err != nil {
		return true, fmt.Errorf("dagq: river: store: load %q: %w", key, err)
	}
	if err := json.Unmarshal(value, into); err != nil {
		return true, fmt.Errorf("dagq: river: store: load %q: %w", key, err)
	}
	return true, nil
}

// Save records value as the result of key, replacing any older record,
// and returns once it is committed. A value JSON cannot encode is an
// error and nothing is written; so is a ctx that has ended (the task was
// killed meanwhile).
func (st *Store) Save(ctx context.Context, key string, value any) error {
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("dagq: river: store: save %q: encode %T: %w", key, value, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = st.pool.Exec(ctx, `INSERT INTO dagq_river_result (key, type, value, saved_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (key) DO UPDATE SET type = EXCLUDED.type, value = EXCLUDED.value, saved_at = EXCLUDED.saved_at`,
		key, dagq.StoredType(value), b)
	if err != nil {
		return fmt.Errorf("dagq: river: store: save %q: %w", key, err)
	}
	return nil
}

// Delete forgets the result of key, so that the next task with that key
// runs. Deleting a key that has no result does nothing.
func (st *Store) Delete(ctx context.Context, key string) error {
	if _, err := st.pool.Exec(ctx, `DELETE FROM dagq_river_result WHERE key = $1`, key); err != nil {
		return fmt.Errorf("dagq: river: store: delete %q: %w", key, err)
	}
	return nil
}
