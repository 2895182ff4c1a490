package boltstore_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq/boltstore"
)

const (
	crashChildEnv = "BOLTSTORE_CRASH_CHILD" // the file a child process writes to
	crashBatchEnv = "BOLTSTORE_CRASH_BATCH" // set: the child saves with WithBatch
	crashSeqEnv   = "BOLTSTORE_CRASH_SEQ"   // the child's first sequence number
	crashWriters  = 4                       // writer goroutines in a child
	crashKeys     = 64                      // keys, written over and over
)

// crashRecord is a result whose parts must agree: a half-written or mixed
// record shows as a mismatch.
type crashRecord struct {
	Seq  int
	Key  string
	Data string // Seq's digits repeated, some kilobytes, spanning pages
}

func makeRecord(seq int) crashRecord {
	key := fmt.Sprint("k", seq%crashKeys)
	return crashRecord{Seq: seq, Key: key, Data: strings.Repeat(strconv.Itoa(seq), 100+seq%3000)}
}

func (r crashRecord) valid(key string) bool {
	return r.Key == key && r == makeRecord(r.Seq)
}

// crashChild saves records until it is killed, printing "<seq>" after
// each save returned. Writer w saves the keys k with k%crashWriters == w,
// in increasing sequence, so each key's sequence only grows.
func crashChild(path string) {
	var opts []boltstore.Option
	if os.Getenv(crashBatchEnv) != "" {
		opts = append(opts, boltstore.WithBatch(time.Millisecond))
	}
	st, err := boltstore.Open(path, append(opts, boltstore.WithOpenTimeout(10*time.Second))...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	first, _ := strconv.Atoi(os.Getenv(crashSeqEnv))
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			for seq := first + w; ; seq += crashWriters {
				if err := st.Save(context.Background(), makeRecord(seq).Key, makeRecord(seq)); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				mu.Lock()
				fmt.Fprintln(out, seq)
				_ = out.Flush()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestCrash kills a child process at random points while it saves, then
// reopens the file: every save the child saw return is there, and every
// record loads whole.
func TestCrash(t *testing.T) {
	for _, batch := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch=%v", batch), func(t *testing.T) {
			seed := time.Now().UnixNano()
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			path := filepath.Join(t.TempDir(), "results.db")
			acked := map[string]int{} // per key, the last sequence number acknowledged
			for round := range 6 {
				crashRound(t, path, batch, round*1_000_000, 1+rng.IntN(60), acked)
				verifyAfterCrash(t, path, acked)
			}
		})
	}
}

// crashRound runs a child that writes to path and kills it after it
// acknowledged kill saves.
func crashRound(t *testing.T, path string, batch bool, firstSeq, kill int, acked map[string]int) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashSeqEnv+"="+strconv.Itoa(firstSeq))
	if batch {
		cmd.Env = append(cmd.Env, crashBatchEnv+"=1")
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	for n := 0; n < kill && lines.Scan(); n++ {
		seq, err := strconv.Atoi(lines.Text())
		require.NoError(t, err)
		r := makeRecord(seq)
		acked[r.Key] = max(acked[r.Key], seq)
	}
	require.NoError(t, cmd.Process.Kill())
	for lines.Scan() { // drain what the child printed before it died
		seq, err := strconv.Atoi(lines.Text())
		require.NoError(t, err)
		r := makeRecord(seq)
		acked[r.Key] = max(acked[r.Key], seq)
	}
	err = cmd.Wait()
	require.Error(t, err, "the child was killed")
	require.Empty(t, stderr.String())
}

func verifyAfterCrash(t *testing.T, path string, acked map[string]int) {
	ctx := t.Context()
	st, err := boltstore.Open(path)
	require.NoError(t, err)
	defer st.Close()
	keys, err := st.Keys(ctx)
	require.NoError(t, err)
	for _, key := range keys {
		var r crashRecord
		found, err := st.Load(ctx, key, &r)
		require.NoError(t, err, key)
		require.True(t, found, key)
		require.True(t, r.valid(key), "key %s holds a mixed record (seq %d)", key, r.Seq)
	}
	for key, seq := range acked {
		var r crashRecord
		found, err := st.Load(ctx, key, &r)
		require.NoError(t, err, key)
		require.True(t, found, "acknowledged key %s lost", key)
		require.GreaterOrEqual(t, r.Seq, seq, "key %s went back to an older record", key)
	}
}
