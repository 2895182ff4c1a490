package dagq_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

// FuzzParseGPUIDs: any string either parses into distinct canonical ids
// that parse again to themselves, or is a *DeviceListError naming an item
// of the list; never a panic.
func FuzzParseGPUIDs(f *testing.F) {
	for _, s := range []string{"0,1,3", "0-3", "0-1,4", "", "none", "1,1", "-1", "3-1", "0,,1", "x", " 2 , 5-6 ", "007", "4096", "GPU-8932f937-d72c", "MIG-GPU-ab/1/0", "GPU-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		ids, err := dagq.ParseGPUIDs(list)
		if err != nil {
			var de *dagq.DeviceListError
			require.ErrorAs(t, err, &de)
			require.Contains(t, list, de.Item)
			require.Nil(t, ids)
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			require.False(t, seen[id], "duplicate %q", id)
			seen[id] = true
			if strings.HasPrefix(id, "GPU-") || strings.HasPrefix(id, "MIG-") {
				require.Contains(t, list, id, "a UUID is kept as written")
				continue
			}
			n, err := strconv.Atoi(id)
			require.NoError(t, err)
			require.Equal(t, strconv.Itoa(n), id, "canonical decimal")
			require.True(t, n >= 0 && n <= 4095)
		}
		again, err := dagq.ParseGPUIDs(strings.Join(ids, ","))
		require.NoError(t, err)
		require.Equal(t, len(ids), len(again))
	})
}

// FuzzStrategyParameters: a queue with any strategy parameters is either
// refused with an error naming the problem, or releases tasks at
// non-negative offsets, non-decreasing for the rate strategies (the others
// release when a slot frees, their offsets only ramp the streams up);
// never a panic.
func FuzzStrategyParameters(f *testing.F) {
	f.Add(uint8(3), 10.0, true, int64(42), 4, int64(0))
	f.Add(uint8(4), 5.0, false, int64(1), 1, int64(time.Second))
	f.Add(uint8(1), 0.0, false, int64(0), 0, int64(-1))
	f.Add(uint8(2), -1.0, true, int64(0), 1_000_000, int64(0))
	f.Fuzz(func(t *testing.T, kind uint8, rate float64, burst bool, seed int64, n int, rampup int64) {
		var st dagq.Strategy
		switch kind % 5 {
		case 0:
			st = dagq.Synchronous()
		case 1:
			st = dagq.Concurrent(n)
		case 2:
			st = dagq.Throughput(n)
		case 3:
			st = dagq.Constant(rate, burst)
		default:
			st = dagq.Poisson(rate, burst, seed)
		}
		opts := []dagq.QueueOption{dagq.WithStrategy(st)}
		if rampup != 0 {
			opts = append(opts, dagq.Rampup(time.Duration(rampup)))
		}
		s := dagq.New()
		defer s.Shutdown(bg)
		if _, err := s.Queue("q", 1, opts...); err != nil {
			require.Contains(t, err.Error(), "dagq: ")
			return
		}
		next, err := st.Releases(time.Duration(rampup))
		require.NoError(t, err, "Queue accepted it")
		prev := time.Duration(0)
		for range 200 {
			at := next()
			require.GreaterOrEqual(t, at, time.Duration(0), "%v", st)
			if kind%5 >= 3 {
				require.GreaterOrEqual(t, at, prev, "%v: releases go forward", st)
			}
			prev = at
		}
	})
}
