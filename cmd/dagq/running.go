package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/dagq/dagq"
)

// runningJob is a job's process as the running file records it.
type runningJob struct {
	Job   string `json:"job"`
	PID   int    `json:"pid"`   // also its process group's id
	Start uint64 `json:"start"` // its start time in clock ticks since boot (Linux), to tell a reused pid; 0 if unknown
}

// runningFile records the processes of the jobs that run, next to the
// state file, so that a dagq that was killed (kill -9, a crash, a lost
// machine) leaves a trace of the commands it could not stop: the next run
// refuses to start while one is still alive, rather than running a second
// copy beside it. The file is rewritten whole at each start and end (it
// holds a few lines) and removed when nothing runs.
type runningFile struct {
	path string
	mu   sync.Mutex // guards jobs and the file
	jobs map[int]runningJob
	err  error // the first write error, reported at the end of the run
}

func newRunningFile(state string) *runningFile {
	return &runningFile{path: state + ".running", jobs: map[int]runningJob{}}
}

// started is the Exec backend's ExecOnStart hook: it records the job's
// process until its group is gone.
func (f *runningFile) started(job *dagq.Job, pid int) func() {
	start, _, _ := procStart(pid)
	f.mu.Lock()
	f.jobs[pid] = runningJob{Job: job.Name, PID: pid, Start: start}
	f.writeLocked()
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		delete(f.jobs, pid)
		f.writeLocked()
		f.mu.Unlock()
	}
}

// writeErr returns the first error met writing the file.
func (f *runningFile) writeErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// writeLocked replaces the file with the jobs that run, or removes it.
func (f *runningFile) writeLocked() {
	if len(f.jobs) == 0 {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) && f.err == nil {
			f.err = err
		}
		return
	}
	var b strings.Builder
	for _, pid := range slices.Sorted(maps.Keys(f.jobs)) {
		line, _ := json.Marshal(f.jobs[pid]) // plain fields: cannot fail
		b.Write(line)
		b.WriteByte('\n')
	}
	tmp := f.path + ".tmp"
	err := os.WriteFile(tmp, []byte(b.String()), 0o644)
	if err == nil {
		err = os.Rename(tmp, f.path)
	}
	if err != nil && f.err == nil {
		f.err = err
	}
}

// checkOrphans returns an error naming the jobs of an earlier dagq that
// are still running, as the running file next to state records them; nil
// if there are none. Records of processes that are gone (or whose pid
// now belongs to another process) are dropped.
func checkOrphans(state string) error {
	path := state + ".running"
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("running jobs file: %w", err)
	}
	var alive []string
	for line := range strings.Lines(string(b)) {
		var j runningJob
		if json.Unmarshal([]byte(line), &j) != nil || j.PID <= 0 {
			continue // a damaged line: nothing to protect
		}
		if j.alive() {
			alive = append(alive, fmt.Sprintf("%q (pid %d; stop it with: kill -- -%d)", j.Job, j.PID, j.PID))
		}
	}
	if len(alive) == 0 {
		return os.Remove(path)
	}
	return fmt.Errorf("jobs of an earlier dagq run are still running, and would run twice: %s; wait for them to end or stop them, then run again (%s records them)",
		strings.Join(alive, ", "), path)
}

// alive reports whether j's process still runs: its pid exists and, where
// the start time is known, started when j's did.
func (j runningJob) alive() bool {
	p, err := os.FindProcess(j.PID)
	if err != nil {
		return false
	}
	if err := p.Signal(syscall.Signal(0)); errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH) {
		return false
	}
	start, zombie, ok := procStart(j.PID)
	switch {
	case !ok:
		return true // no /proc: the pid exists
	case zombie:
		return false
	case j.Start != 0:
		return start == j.Start
	}
	return true
}

// procStart returns the start time of process pid in clock ticks since
// boot and whether it is a zombie (exited, not yet reaped), from /proc
// (Linux); ok is false elsewhere or if it cannot be read.
func procStart(pid int) (start uint64, zombie, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false, false
	}
	// The command name, in parentheses, may hold spaces: fields start after its last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return 0, false, false
	}
	start, err = strconv.ParseUint(fields[19], 10, 64)
	return start, fields[0] == "Z", err == nil
}
