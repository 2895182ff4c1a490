package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq/boltstore"
)

// goodStore writes a store of n records and returns its bytes.
func goodStore(t testing.TB, n int) []byte {
	path := filepath.Join(t.TempDir(), "good.db")
	st, err := boltstore.Open(path)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, st.Save(context.Background(), fmt.Sprintf("key-%04d", i), fmt.Sprintf("value %d with some padding to fill pages", i)))
	}
	require.NoError(t, st.Close())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// openBytes writes b to a file and opens it as a store; if that succeeds
// it reads every key back and closes the store. It returns Open's error.
func openBytes(t testing.TB, b []byte) error {
	path := filepath.Join(t.TempDir(), "store.db")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	st, err := boltstore.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	keys, err := st.Keys(ctx)
	if err != nil {
		return nil
	}
	for _, k := range keys {
		var v any
		_, _ = st.Load(ctx, k, &v)
	}
	return nil
}

// TestOpenRefusesDamagedFiles checks that Open refuses an empty,
// truncated or foreign file, or one whose meta pages are both damaged,
// with a *CorruptError naming the file and what to do — never a panic,
// a fault, or a silently new store.
func TestOpenRefusesDamagedFiles(t *testing.T) {
	good := goodStore(t, 2000)
	require.Greater(t, len(good), 64<<10, "the store spans many pages")
	flipMeta := func(b []byte) []byte {
		b = append([]byte(nil), b...)
		b[16+20] ^= 0xff // in the meta of page 0
		b[4096+16+20] ^= 0xff
		return b
	}
	random := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	for name, b := range map[string][]byte{
		"empty":        {},
		"8 KiB":        good[:8<<10],
		"16 KiB":       good[:16<<10],
		"half":         good[:len(good)/2],
		"random bytes": random,
		"both metas":   flipMeta(good),
		"text":         []byte("not a database\n"),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			require.NoError(t, os.WriteFile(path, b, 0o600))
			_, err := boltstore.Open(path)
			require.ErrorIs(t, err, boltstore.ErrCorrupt)
			var ce *boltstore.CorruptError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, path, ce.Path)
			require.ErrorContains(t, err, path+" is not a sound store file")
			require.ErrorContains(t, err, "move it aside")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, b, after, "the file is left as it was")
		})
	}
}

// TestOpenSurvivesDamagedPages flips bytes at random places of a good
// store's data pages: Open then either refuses with a *CorruptError or
// opens a store whose reads return, without a panic or a fault.
func TestOpenSurvivesDamagedPages(t *testing.T) {
	good := goodStore(t, 2000)
	rng := rand.New(rand.NewPCG(5, 6))
	refused := 0
	for range 200 {
		b := append([]byte(nil), good...)
		for range 1 + rng.IntN(8) {
			b[8192+rng.IntN(len(b)-8192)] ^= byte(1 + rng.IntN(255))
		}
		err := openBytes(t, b)
		if err != nil {
			require.True(t, errors.Is(err, boltstore.ErrCorrupt), "%v", err)
			refused++
		}
	}
	t.Logf("refused %d of 200 damaged stores", refused)
}

// TestOpenOneMetaDamaged checks that a store whose newer meta page is
// damaged opens from the other, as bbolt means it to.
func TestOpenOneMetaDamaged(t *testing.T) {
	good := goodStore(t, 10)
	for _, page := range []int{0, 4096} {
		b := append([]byte(nil), good...)
		b[page+16+20] ^= 0xff
		require.NoError(t, openBytes(t, b), "meta page at %d damaged", page)
	}
}

// FuzzOpen: no file content makes Open, or the reads of a store it
// opened, panic or fault.
func FuzzOpen(f *testing.F) {
	good := goodStore(f, 50)
	f.Add(good)
	f.Add(good[:8<<10])
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		err := openBytes(t, b)
		if err != nil && !errors.Is(err, boltstore.ErrCorrupt) {
			t.Fatalf("Open: %v, want nil or ErrCorrupt", err)
		}
	})
}

// BenchmarkOpen measures Open, with its check of every page, on a store
// of 20,000 records; it reports the file's size.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "store.db")
	require.NoError(b, os.WriteFile(path, goodStore(b, 20000), 0o600))
	info, err := os.Stat(path)
	require.NoError(b, err)
	for b.Loop() {
		st, err := boltstore.Open(path)
		require.NoError(b, err)
		require.NoError(b, st.Close())
	}
	b.ReportMetric(float64(info.Size())/(1<<20), "MiB")
}
