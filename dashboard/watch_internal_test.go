package dashboard

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dagq/dagq"
)

func newTestWatch() *watch {
	return &watch{running: map[dagq.TaskID]bar{}, lanes: map[string][]bool{}}
}

var t0 = time.Unix(1_700_000_000, 0)

func ev(w *watch, at time.Duration, id dagq.TaskID, from, to dagq.Status, devices ...string) {
	t := dagq.TaskInfo{ID: id, Queue: "q", Status: to, Devices: devices}
	if to == dagq.Failed {
		t.Err = errors.New("exit status 1")
	}
	w.Observe(dagq.Event{Kind: dagq.TaskStarted, Time: t0.Add(at), Task: t, From: from, To: to})
}

func TestWatchLanes(t *testing.T) {
	w := newTestWatch()
	ev(w, 0, 1, dagq.Queued, dagq.Running)
	ev(w, 1*time.Millisecond, 2, dagq.Queued, dagq.Running)
	ev(w, 2*time.Millisecond, 3, dagq.Queued, dagq.Running, "0", "1")
	ev(w, 3*time.Millisecond, 1, dagq.Running, dagq.Queued) // a retry frees lane 1
	ev(w, 4*time.Millisecond, 4, dagq.Queued, dagq.Running)
	ev(w, 5*time.Millisecond, 2, dagq.Running, dagq.Failed)
	bars, running, fails, nb, nf := w.since(0, 0)
	lanes := map[string]dagq.TaskID{}
	for _, b := range running {
		lanes[b.Lane] = b.ID
	}
	require.Equal(t, map[string]dagq.TaskID{"q 1": 4, "device 0,1": 3}, lanes)
	require.Equal(t, []bar{
		{ID: 1, Name: "#1", Lane: "q 1", Start: t0.UnixMilli(), End: t0.UnixMilli() + 3, Status: "retried", queue: "q"},
		{ID: 2, Name: "#2", Lane: "q 2", Start: t0.UnixMilli() + 1, End: t0.UnixMilli() + 5, Status: "failed", queue: "q", slot: 1},
	}, bars)
	require.Equal(t, []failure{{ID: 2, Name: "#2", Queue: "q", Status: "failed", Why: "exit status 1", At: t0.UnixMilli() + 5}}, fails)
	bars, _, fails, _, _ = w.since(nb, nf)
	require.Empty(t, bars, "each bar is sent once")
	require.Empty(t, fails)
}

func TestWatchRingsAreBounded(t *testing.T) {
	w := newTestWatch()
	for i := range maxBars + 10 {
		id := dagq.TaskID(i + 1)
		at := time.Duration(i) * time.Second // slow enough never to be busy
		ev(w, at, id, dagq.Queued, dagq.Running)
		ev(w, at, id, dagq.Running, dagq.Failed)
	}
	bars, _, fails, nb, nf := w.since(0, 0)
	require.Len(t, bars, maxBars)
	require.Len(t, fails, maxFails)
	require.Equal(t, dagq.TaskID(maxBars+10), bars[len(bars)-1].ID, "the latest are kept")
	require.Equal(t, uint64(maxBars+10), nb)
	require.Equal(t, uint64(maxBars+10), nf)
}

func TestWatchBusy(t *testing.T) {
	w := newTestWatch()
	require.True(t, w.Enabled(dagq.TaskStarted, dagq.Queued, dagq.Running))
	for i := range busyEvents {
		ev(w, time.Duration(i)*time.Microsecond, dagq.TaskID(i+1), dagq.Queued, dagq.Running)
	}
	require.False(t, w.busy.Load())
	require.Len(t, w.running, busyEvents)
	ev(w, 2*time.Millisecond, busyEvents+1, dagq.Queued, dagq.Running)
	require.True(t, w.busy.Load(), "one event too many in a window")
	require.Empty(t, w.running, "the attempts followed are forgotten: their ends will not be seen")
	require.False(t, w.Enabled(dagq.TaskStarted, dagq.Queued, dagq.Running))
	require.False(t, w.Enabled(dagq.TaskFinished, dagq.Running, dagq.Succeeded))
	require.True(t, w.Enabled(dagq.TaskFinished, dagq.Running, dagq.Failed), "failures are always taken")
	require.True(t, w.Enabled(dagq.RunIdle, 0, 0))

	ev(w, 500*time.Millisecond, 5, dagq.Running, dagq.Failed)
	_, _, fails, _, _ := w.since(0, 0)
	require.Len(t, fails, 1, "a failure while busy is listed")
	ev(w, 2*time.Millisecond+busyPause, 7000, dagq.Queued, dagq.Running)
	require.False(t, w.busy.Load(), "after the pause it follows attempts again")
	_, running, _, _, _ := w.since(0, 0)
	require.Len(t, running, 1)
	require.Equal(t, "q 1", running[0].Lane, "lanes were freed")
}

func TestWatchRate(t *testing.T) {
	w := newTestWatch()
	require.Zero(t, w.rateLocked(t0, 0))
	require.InDelta(t, 500, w.rateLocked(t0.Add(100*time.Millisecond), 50), 1e-9, "from the first sample")
	require.InDelta(t, 100, w.rateLocked(t0.Add(time.Second), 100), 1e-9)
	for i := 2; i <= 30; i++ {
		w.rateLocked(t0.Add(time.Duration(i)*time.Second), 100*i)
	}
	require.InDelta(t, 100, w.rateLocked(t0.Add(31*time.Second), 3100), 1e-9)
	require.InDelta(t, 0, w.rateLocked(t0.Add(50*time.Second), 3100), 1e-9, "the window moves on: a stalled run has no rate")
}
