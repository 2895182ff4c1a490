package dagqriver

import (
	"context"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

type build struct {
	Commit string
	Bytes  int64
}

func TestStoreRecords(t *testing.T) {
	pool := testPool(t)
	st, err := NewStore(t.Context(), pool)
	require.NoError(t, err)
	key := "build:" + queueSuffix
	var b build
	found, err := st.Load(t.Context(), key, &b)
	require.NoError(t, err)
	require.False(t, found)

	require.NoError(t, st.Save(t.Context(), key, build{"abc", 1 << 40}))
	found, err = st.Load(t.Context(), key, &b)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, build{"abc", 1 << 40}, b)

	var wrong int
	found, err = st.Load(t.Context(), key, &wrong)
	require.True(t, found)
	require.ErrorIs(t, err, dagq.ErrKeyType)
	require.ErrorContains(t, err, "recorded github.com/dagq/dagq/dagqriver.build, want int")
	var anything any
	found, err = st.Load(t.Context(), key, &anything)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, map[string]any{"Commit": "abc", "Bytes": float64(1 << 40)}, anything)

	require.NoError(t, st.Save(t.Context(), key, build{"def", 2}), "a newer record replaces the older")
	_, err = st.Load(t.Context(), key, &b)
	require.NoError(t, err)
	require.Equal(t, "def", b.Commit)

	require.ErrorContains(t, st.Save(t.Context(), key, make(chan int)), "encode chan int")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, st.Save(ctx, key, build{"killed", 0}), context.Canceled)
	_, err = st.Load(t.Context(), key, &b)
	require.NoError(t, err)
	require.Equal(t, "def", b.Commit, "nothing was written by the failed saves")
	_, err = st.Load(t.Context(), key, b)
	require.ErrorContains(t, err, "want a non-nil pointer")

	require.NoError(t, st.Delete(t.Context(), key))
	found, err = st.Load(t.Context(), key, &b)
	require.NoError(t, err)
	require.False(t, found)
	require.NoError(t, st.Delete(t.Context(), key))
}

// TestStoreSharedBySubmitters runs a keyed task from one submitter and
// then from another with the same Store: the second takes the result.
func TestStoreSharedBySubmitters(t *testing.T) {
	pool := testPool(t)
	h := newTestHandlers()
	startWorker(t, testQueue(t), time.Hour)
	st, err := NewStore(t.Context(), pool)
	require.NoError(t, err)
	key := "seed-42:" + queueSuffix
	for i, wantCached := range []bool{false, true} {
		s := remoteScheduler(t, pool, Config{}, dagq.WithStore(st))
		f := dagq.Call(s.DefaultQueue(), h.seed, 42, dagq.Key(key))
		v, err := f.Get(startedContext(t, s))
		require.NoError(t, err)
		require.Equal(t, int64(42*7919+1), v)
		require.Equal(t, wantCached, f.Info().Cached, "submitter %d", i+1)
		require.NoError(t, s.Shutdown(t.Context()))
	}
}
