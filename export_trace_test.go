package dagq

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// parsedTrace is the part of a trace-event file the tests read.
type parsedTrace struct {
	DisplayTimeUnit string `json:"displayTimeUnit"`
	TraceEvents     []struct {
		Name string         `json:"name"`
		Cat  string         `json:"cat"`
		Ph   string         `json:"ph"`
		Ts   float64        `json:"ts"`
		Dur  float64        `json:"dur"`
		Pid  int            `json:"pid"`
		Tid  int            `json:"tid"`
		ID   string         `json:"id"`
		Args map[string]any `json:"args"`
	} `json:"traceEvents"`
}

// sampleExport runs sampleRun in the current bubble and returns its
// tasks and what write made of them.
func sampleExport(t *testing.T, write func(io.Writer, []TaskInfo) error) ([]TaskInfo, *bytes.Buffer) {
	tasks := sampleRun(t).Tasks()
	var buf bytes.Buffer
	require.NoError(t, write(&buf, tasks))
	return tasks, &buf
}

func TestWriteTraceOneCompleteEventPerTaskThatRan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tasks, buf := sampleExport(t, WriteTrace)
		var tr parsedTrace
		require.NoError(t, json.Unmarshal(buf.Bytes(), &tr), buf.String())

		t0 := tasks[0].Submitted
		byName := map[string]TaskInfo{}
		for _, ti := range tasks {
			byName[ti.Name] = ti
			if ti.Submitted.Before(t0) {
				t0 = ti.Submitted
			}
		}
		us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
		complete, flows, waits, kills := map[string]int{}, 0, 0, 0
		threads := map[int]map[int]string{}
		procs := map[int]string{}
		var placed [][2]int // pid, tid of each complete event
		for _, e := range tr.TraceEvents {
			switch e.Ph {
			case "X":
				ti := byName[e.Name]
				complete[e.Name]++
				require.Equal(t, ti.Status.String(), e.Cat)
				require.InDelta(t, us(ti.Started.Sub(t0)), e.Ts, 1e-3, e.Name)
				require.InDelta(t, us(ti.Duration()), e.Dur, 1e-3, e.Name)
				require.InDelta(t, float64(ti.Wait().Microseconds())/1e3, e.Args["wait_ms"], 1e-9, e.Name)
				placed = append(placed, [2]int{e.Pid, e.Tid})
			case "M":
				if e.Name == "process_name" {
					procs[e.Pid] = e.Args["name"].(string)
				}
				if e.Name == "thread_name" {
					if threads[e.Pid] == nil {
						threads[e.Pid] = map[int]string{}
					}
					threads[e.Pid][e.Tid] = e.Args["name"].(string)
				}
			case "s":
				flows++
			case "b":
				waits++
			case "i":
				kills++
				require.Contains(t, e.Args["reason"], "compile b")
			}
		}
		for _, at := range placed {
			require.Contains(t, threads[at[0]], at[1], "complete events are on named threads")
		}
		ran := 0
		for _, ti := range tasks {
			if !ti.Started.IsZero() {
				ran++
				require.Equal(t, 1, complete[ti.Name], ti.Name)
			}
		}
		require.Equal(t, 5, ran)
		require.Len(t, complete, ran)
		require.Equal(t, 2, flows, "fetch a → compile a, fetch b → compile b")
		require.Equal(t, 5, waits, "tasks that became ready")
		require.Equal(t, 2, kills, "link and test never ran")
		require.ElementsMatch(t, []string{"queue net", "queue cpu"}, []string{procs[1], procs[2]})
		for pid, ths := range threads {
			size := map[string]int{"queue net": 1, "queue cpu": 2}[procs[pid]]
			require.LessOrEqual(t, len(ths), size, "slots of %s", procs[pid])
		}
	})
}

func TestWriteTraceDevicesAndRunningTasks(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	tasks := []TaskInfo{
		{ID: 1, Name: "train", Queue: "gpu", Backend: "gpus", Status: Succeeded, Devices: []string{"1"},
			Submitted: at(0), Ready: at(0), Started: at(1), Finished: at(5)},
		{ID: 2, Queue: "gpu", Backend: "gpus", Status: Running, Devices: []string{"0"},
			Submitted: at(0), Ready: at(0), Started: at(2)},
		{ID: 3, Name: "eval", Queue: "cpu", Status: Failed, Err: errors.New("boom"), Deps: []TaskID{1},
			Submitted: at(0), Ready: at(5), Started: at(6), Finished: at(8)},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteTrace(&buf, tasks))
	var tr parsedTrace
	require.NoError(t, json.Unmarshal(buf.Bytes(), &tr))
	names := map[string]bool{}
	for _, e := range tr.TraceEvents {
		if e.Name == "thread_name" || e.Name == "process_name" {
			names[e.Args["name"].(string)] = true
		}
		if e.Ph == "X" && e.Name == "#2" {
			require.Equal(t, 6000.0, e.Dur, "a running task lasts until the latest time seen")
		}
		if e.Ph == "X" && e.Name == "eval" {
			require.Equal(t, "boom", e.Args["error"])
		}
	}
	require.Equal(t, map[string]bool{"backend gpus": true, "device 1": true, "device 0": true, "queue cpu": true, "slot 1": true, "queue gpu": true}, names, "queue gpu holds its counter")
}

func TestWriteTraceReportsWriteErrors(t *testing.T) {
	err := WriteTrace(failingWriter{}, []TaskInfo{{ID: 1}})
	require.ErrorContains(t, err, "dagq: write trace: disk full")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// syntheticTasks returns n finished tasks on two queues, task i depending
// on task i/2, each ready 1µs·i after the start and running for 5µs.
func syntheticTasks(n int) []TaskInfo {
	t0 := time.Unix(0, 0)
	tasks := make([]TaskInfo, n)
	for i := range tasks {
		at := t0.Add(time.Duration(i) * time.Microsecond)
		tasks[i] = TaskInfo{ID: TaskID(i + 1), Name: "t", Queue: []string{"a", "b"}[i%2], Backend: "local",
			Status: Succeeded, Attempts: 1, Submitted: t0, Ready: at, Started: at.Add(time.Microsecond), Finished: at.Add(6 * time.Microsecond)}
		if i > 0 {
			tasks[i].Deps = []TaskID{TaskID(i/2 + 1)}
		}
	}
	return tasks
}

// BenchmarkExport writes the trace of 1e5 tasks and the timeline of 1e4.
func BenchmarkExport(b *testing.B) {
	for _, c := range []struct {
		name  string
		n     int
		write func(io.Writer, []TaskInfo) error
	}{{"trace", 100_000, WriteTrace}, {"timeline", 10_000, WriteTimeline}} {
		b.Run(c.name, func(b *testing.B) {
			tasks := syntheticTasks(c.n)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.write(io.Discard, tasks); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c.n), "ns/task")
		})
	}
}
