package dagq_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func TestMemoryStore(t *testing.T) {
	ctx := t.Context()
	st := dagq.MemoryStore()

	v := 5
	found, err := st.Load(ctx, "k", &v)
	require.NoError(t, err)
	require.False(t, found)
	require.Equal(t, 5, v, "unchanged when not found")

	require.NoError(t, st.Save(ctx, "k", 7))
	found, err = st.Load(ctx, "k", &v)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, 7, v)

	var a any
	found, err = st.Load(ctx, "k", &a)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, 7, a, "an interface target takes any value")

	var s string
	_, err = st.Load(ctx, "k", &s)
	require.ErrorIs(t, err, dagq.ErrKeyType)
	_, err = st.Load(ctx, "k", s)
	require.ErrorContains(t, err, "want a non-nil pointer")

	require.NoError(t, st.Save(ctx, "nil", nil))
	v = 3
	found, err = st.Load(ctx, "nil", &v)
	require.NoError(t, err)
	require.True(t, found)
	require.Zero(t, v)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, st.Save(cancelled, "late", 1), context.Canceled)
	found, err = st.Load(ctx, "late", &v)
	require.NoError(t, err)
	require.False(t, found, "nothing saved with a cancelled context")
}

func TestMemoryStoreConcurrent(t *testing.T) {
	ctx := t.Context()
	st := dagq.MemoryStore()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			key := fmt.Sprint(i % 10)
			require.NoError(t, st.Save(ctx, key, i%10))
			var v int
			found, err := st.Load(ctx, key, &v)
			require.NoError(t, err)
			require.True(t, found)
			require.Equal(t, i%10, v)
		})
	}
	wg.Wait()
}

type storedPoint struct{ X, Y int }

func TestStoredType(t *testing.T) {
	for _, c := range []struct {
		value any
		want  string
	}{
		{nil, ""},
		{42, "int"},
		{storedPoint{}, "github.com/dagq/dagq_test.storedPoint"},
		{&storedPoint{}, "*dagq_test.storedPoint"},
		{[]storedPoint{}, "[]dagq_test.storedPoint"},
		{struct{}{}, "struct {}"},
		{map[string]float64{}, "map[string]float64"},
	} {
		require.Equal(t, c.want, dagq.StoredType(c.value), "%T", c.value)
	}
}

func TestCheckStoredType(t *testing.T) {
	var p storedPoint
	require.NoError(t, dagq.CheckStoredType(dagq.StoredType(storedPoint{}), &p))
	require.NoError(t, dagq.CheckStoredType("", &p), "a nil value fits any type")
	var a any
	require.NoError(t, dagq.CheckStoredType("int", &a), "an interface takes any record")

	err := dagq.CheckStoredType("int", &p)
	require.ErrorIs(t, err, dagq.ErrKeyType)
	require.ErrorContains(t, err, "recorded int, want github.com/dagq/dagq_test.storedPoint")
	var pp *storedPoint
	require.ErrorIs(t, dagq.CheckStoredType(dagq.StoredType(storedPoint{}), &pp), dagq.ErrKeyType, "a pointer is another type")

	for _, bad := range []any{nil, p, pp, 3} {
		err := dagq.CheckStoredType("", bad)
		require.ErrorContains(t, err, "want a non-nil pointer", "%T", bad)
		require.NotErrorIs(t, err, dagq.ErrKeyType)
	}
}
