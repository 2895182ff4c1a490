package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/dagq/dagq"
	"github.com/dagq/dagq/boltstore"
)

type result struct {
	Name  string
	Sizes []int
	Tags  map[string]bool
}

func open(t testing.TB, path string, opts ...boltstore.Option) *boltstore.Store {
	t.Helper()
	st, err := boltstore.Open(path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() }) // closing twice is harmless
	return st
}

func TestRoundTripAcrossReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "results.db")
	st := open(t, path)
	want := result{Name: "model", Sizes: []int{1, 2}, Tags: map[string]bool{"gpu": true}}
	require.NoError(t, st.Save(ctx, "r", want))
	require.NoError(t, st.Save(ctx, "n", 42))
	require.NoError(t, st.Save(ctx, "s", "text"))
	require.NoError(t, st.Save(ctx, "none", struct{}{}))
	require.NoError(t, st.Close())

	st = open(t, path)
	var r result
	found, err := st.Load(ctx, "r", &r)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, want, r)
	var n int
	found, err = st.Load(ctx, "n", &n)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, 42, n)
	var none struct{}
	found, err = st.Load(ctx, "none", &none)
	require.NoError(t, err)
	require.True(t, found)
	keys, err := st.Keys(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"n", "none", "r", "s"}, keys)

	require.NoError(t, st.Delete(ctx, "n"))
	n = 7
	found, err = st.Load(ctx, "n", &n)
	require.NoError(t, err)
	require.False(t, found)
	require.Equal(t, 7, n, "unchanged when not found")
}

func TestLoadTypeChecks(t *testing.T) {
	ctx := t.Context()
	st := open(t, filepath.Join(t.TempDir(), "results.db"))
	require.NoError(t, st.Save(ctx, "r", result{Name: "x"}))

	type other struct{ Name string }
	var o other
	_, err := st.Load(ctx, "r", &o)
	require.ErrorIs(t, err, dagq.ErrKeyType, "a struct of the same shape but another type")
	require.ErrorContains(t, err, "recorded github.com/dagq/dagq/boltstore_test.result, want github.com/dagq/dagq/boltstore_test.other")

	var a any
	found, err := st.Load(ctx, "r", &a)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, map[string]any{"Name": "x", "Sizes": nil, "Tags": nil}, a)

	_, err = st.Load(ctx, "r", o)
	require.ErrorContains(t, err, "want a non-nil pointer")
	_, err = st.Load(ctx, "r", nil)
	require.ErrorContains(t, err, "want a non-nil pointer")
}

func TestSaveRefusals(t *testing.T) {
	ctx := t.Context()
	st := open(t, filepath.Join(t.TempDir(), "results.db"))
	err := st.Save(ctx, "c", make(chan int))
	require.ErrorContains(t, err, `boltstore: save "c": encode chan int: json: unsupported type: chan int`)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, st.Save(cancelled, "late", 1), context.Canceled)
	keys, err := st.Keys(ctx)
	require.NoError(t, err)
	require.Empty(t, keys, "nothing written")
}

// TestDamagedRecord: a record changed behind the store's back loads as an
// error, never as a success.
func TestDamagedRecord(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "results.db")
	st := open(t, path)
	for _, k := range []string{"flip", "cut", "short", "version"} {
		require.NoError(t, st.Save(ctx, k, "a result of some length"))
	}
	require.NoError(t, st.Close())

	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("dagq.results"))
		rec := slices.Clone(b.Get([]byte("flip")))
		rec[len(rec)/2] ^= 1
		require.NoError(t, b.Put([]byte("flip"), rec))
		rec = slices.Clone(b.Get([]byte("cut")))
		require.NoError(t, b.Put([]byte("cut"), rec[:len(rec)-3]))
		require.NoError(t, b.Put([]byte("short"), []byte{1, 0}))
		rec = slices.Clone(b.Get([]byte("version")))
		rec[0] = 9
		return b.Put([]byte("version"), rec)
	}))
	require.NoError(t, db.Close())

	st = open(t, path)
	for _, k := range []string{"flip", "cut", "short", "version"} {
		var s string
		found, err := st.Load(ctx, k, &s)
		require.ErrorContains(t, err, "corrupt record", k)
		require.False(t, found, k)
		require.Empty(t, s, k)
	}
}

// marked is a codec that prefixes JSON with a mark, to show the codec is
// used.
type marked struct{ boltstore.Codec }

var errUnmarked = errors.New("unmarked data")

func (c marked) Marshal(v any) ([]byte, error) {
	b, err := c.Codec.Marshal(v)
	return append([]byte("M"), b...), err
}

func (c marked) Unmarshal(data []byte, v any) error {
	if len(data) == 0 || data[0] != 'M' {
		return errUnmarked
	}
	return c.Codec.Unmarshal(data[1:], v)
}

func TestCodec(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "results.db")
	st := open(t, path, boltstore.WithCodec(marked{boltstore.JSON()}))
	require.NoError(t, st.Save(ctx, "k", []string{"a"}))
	var v []string
	found, err := st.Load(ctx, "k", &v)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, []string{"a"}, v)
	require.NoError(t, st.Save(ctx, "k2", []string{"b"}))
	require.NoError(t, st.Close())

	st = open(t, path)
	_, err = st.Load(ctx, "k", &v)
	require.ErrorContains(t, err, "invalid character 'M'", "the file was written with another codec")
	require.NoError(t, st.Close())
	st = open(t, path, boltstore.WithCodec(marked{boltstore.JSON()}))
	require.NoError(t, st.Save(ctx, "plain", []string{"c"}))
	found, err = st.Load(ctx, "k2", &v)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, []string{"b"}, v)
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.db")
	open(t, path)
	_, err := boltstore.Open(path, boltstore.WithOpenTimeout(10*time.Millisecond))
	require.ErrorContains(t, err, "boltstore: open")
	require.ErrorContains(t, err, "timeout")
}

func TestBatchConcurrent(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "results.db")
	st := open(t, path, boltstore.WithBatch(time.Millisecond))
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() { require.NoError(t, st.Save(ctx, string(rune('a'+i%26))+string(rune('0'+i/26)), i)) })
	}
	wg.Wait()
	require.NoError(t, st.Close())
	st = open(t, path)
	keys, err := st.Keys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 200)
}

// BenchmarkKey measures what a Key costs per task with this store, against
// the MemoryStore and against no key at all, on a queue of 8 slots:
// "unique" tasks run and save their result (one transaction and fsync
// each, or shared with WithBatch), "stored" tasks find theirs (one read
// transaction, no run).
func BenchmarkKey(b *testing.B) {
	ctx := context.Background()
	fn := func(context.Context) (result, error) { return result{Name: "r", Sizes: []int{1, 2, 3}}, nil }
	bench := func(b *testing.B, st dagq.Store, keyed bool) {
		s := dagq.New(dagq.WithStore(st))
		defer s.Shutdown(ctx)
		q, err := s.Queue("q", 8)
		require.NoError(b, err)
		ks := make([]string, b.N)
		for i := range ks {
			ks[i] = fmt.Sprint("key-", i)
		}
		require.NoError(b, s.Start(ctx))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if keyed {
				dagq.Submit(q, fn, dagq.Key(ks[i]))
			} else {
				dagq.Submit(q, fn)
			}
		}
		require.NoError(b, s.Wait(ctx))
		b.StopTimer()
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/task")
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
	}
	b.Run("none", func(b *testing.B) { bench(b, dagq.MemoryStore(), false) })
	b.Run("memory/unique", func(b *testing.B) { bench(b, dagq.MemoryStore(), true) })
	b.Run("bolt/unique", func(b *testing.B) { bench(b, open(b, filepath.Join(b.TempDir(), "r.db")), true) })
	b.Run("bolt-batch/unique", func(b *testing.B) {
		bench(b, open(b, filepath.Join(b.TempDir(), "r.db"), boltstore.WithBatch(time.Millisecond)), true)
	})
	b.Run("bolt/stored", func(b *testing.B) {
		st := open(b, filepath.Join(b.TempDir(), "r.db"), boltstore.WithBatch(time.Millisecond))
		var wg sync.WaitGroup
		for i := range b.N {
			wg.Go(func() { require.NoError(b, st.Save(ctx, fmt.Sprint("key-", i), result{})) })
		}
		wg.Wait()
		bench(b, st, true)
	})
}
