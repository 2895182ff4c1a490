package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

func TestLines(t *testing.T) {
	var out bytes.Buffer
	l := newLines(&out)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tasks := sampleTasks()
	train := dagq.TaskInfo{Name: "train", Devices: []string{"0", "1"}, Status: dagq.Running}
	for _, e := range []dagq.Event{
		{Kind: dagq.RunStarted, Time: t0},
		{Kind: dagq.TaskFinished, Time: t0, Task: tasks[0]},
		{Kind: dagq.TaskStarted, Time: t0.Add(250 * time.Millisecond), Task: tasks[1]},
		{Kind: dagq.TaskStarted, Time: t0.Add(260 * time.Millisecond), Task: train},
		{Kind: dagq.TaskQueued, Time: t0.Add(time.Second), Task: tasks[2]},
		{Kind: dagq.TaskFinished, Time: t0.Add(1500 * time.Millisecond), Task: tasks[1]},
		{Kind: dagq.TaskFinished, Time: t0.Add(1600 * time.Millisecond), Task: tasks[2]},
		{Kind: dagq.TaskFinished, Time: t0.Add(1600 * time.Millisecond), Task: tasks[5]},
	} {
		l.Observe(e)
	}
	require.Equal(t, `[   0.00s] cached fetch (succeeded in an earlier run)
[   0.25s] start build
[   0.26s] start train on GPU 0,1
[   1.50s] ok build in 1.25s
[   1.60s] FAILED test: exit code 2, log logs/3-test.1.log
[   1.60s] killed report: dependency "test" (id 3) failed: exit 2
`, out.String())
}
