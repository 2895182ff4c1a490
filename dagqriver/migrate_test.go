package dagqriver

import (
	"testing"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

func TestUnmigratedOrUnreachableDatabase(t *testing.T) {
	pool := testPool(t)
	_, err := pool.Exec(t.Context(), `DROP DATABASE IF EXISTS dagq_unmigrated`)
	require.NoError(t, err)
	_, err = pool.Exec(t.Context(), `CREATE DATABASE dagq_unmigrated`)
	require.NoError(t, err)
	cfg := pool.Config().Copy()
	cfg.ConnConfig.Database = "dagq_unmigrated"
	other, err := pgxpoolNewWithConfig(t, cfg)
	require.NoError(t, err)
	_, err = New(t.Context(), other, nil)
	require.ErrorContains(t, err, "call dagqriver.Migrate first")
	require.ErrorContains(t, RunWorker(t.Context(), other, dagq.NewRegistry(), nil), "call dagqriver.Migrate first")
	other.Close()

	cfg = pool.Config().Copy()
	cfg.ConnConfig.Port = 1
	down, err := pgxpoolNewWithConfig(t, cfg)
	require.NoError(t, err)
	defer down.Close()
	_, err = New(t.Context(), down, nil)
	require.ErrorContains(t, err, "the database is not reachable")
}

func TestMigrateIsIdempotent(t *testing.T) {
	pool := testPool(t)
	require.NoError(t, Migrate(t.Context(), pool))
	require.NoError(t, Migrate(t.Context(), pool))
	require.NoError(t, checkMigrated(t.Context(), pool))
}
