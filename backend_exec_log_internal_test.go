package dagq

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCappedLogKeepsHeadAndTail writes streams of many sizes in random
// chunks and compares the file with its oracle: the whole stream up to
// the cap; past it, the first half, the marker and the last half.
func TestCappedLogKeepsHeadAndTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	for _, limit := range []int64{0, 1, 2, 7, 100, 1001} {
		for _, size := range []int{0, 1, 50, 99, 100, 101, 1000, 1001, 1002, 5000, 12345} {
			stream := make([]byte, size)
			for i := range stream {
				stream[i] = 'a' + byte(rng.IntN(26))
			}
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d-%d.log", limit, size)))
			require.NoError(t, err)
			l := newCappedLog(f, limit)
			for p := stream; len(p) > 0; {
				k := min(len(p), 1+rng.IntN(300))
				n, err := l.Write(p[:k])
				require.NoError(t, err)
				require.Equal(t, k, n)
				p = p[k:]
			}
			require.NoError(t, l.close())
			got, err := os.ReadFile(f.Name())
			require.NoError(t, err)
			want := string(stream)
			if limit > 0 && int64(size) > limit {
				head := limit / 2
				want = string(stream[:head]) +
					fmt.Sprintf("\n[dagq: %d bytes of output dropped here, ExecLogLimit(%d)]\n", int64(size)-limit, limit) +
					string(stream[int64(size)-(limit-head):])
			}
			require.Equal(t, want, string(got), "limit %d, size %d", limit, size)
			_, err = os.Stat(f.Name() + ".tmp")
			require.ErrorIs(t, err, os.ErrNotExist)
		}
	}
}
