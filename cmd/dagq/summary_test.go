package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dagq/dagq"
	"github.com/stretchr/testify/require"
)

// sampleTasks is one task of each kind the summary describes.
func sampleTasks() []dagq.TaskInfo {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	return []dagq.TaskInfo{
		{Name: "fetch", Status: dagq.Succeeded, Cached: true, Submitted: t0, Finished: t0},
		{Name: "build", Status: dagq.Succeeded, Ready: t0, Started: at(250), Finished: at(1500)},
		{Name: "test", Status: dagq.Failed, Ready: at(1500), Started: at(1500), Finished: at(1600),
			Err: &dagq.ExitError{Code: 2, Log: "logs/3-test.1.log", Tail: "FAIL\nmore"}},
		{Name: "slow", Status: dagq.Failed, Ready: at(1500), Started: at(1500), Finished: at(2500),
			Err: errors.Join(errors.New("task timed out after 1s"), &dagq.ExitError{Code: -1, Err: errors.New("signal: killed")})},
		{Name: "plain", Status: dagq.Failed, Started: at(1), Finished: at(2), Err: errors.New("no such file\nsecond line")},
		{Name: "report", Status: dagq.Killed, Reason: `dependency "test" (id 3) failed: exit 2` + "\nmore", Finished: at(1600)},
	}
}

func TestWriteSummary(t *testing.T) {
	var out bytes.Buffer
	require.Equal(t, exitFailed, writeSummary(&out, sampleTasks(), 2500*time.Millisecond))
	require.Equal(t, `JOB     STATUS     DURATION  WAIT   NOTE
fetch   cached     -         -      succeeded in an earlier run
build   succeeded  1.25s     250ms  
test    failed     100ms     0s     exit code 2, log logs/3-test.1.log
slow    failed     1s        0s     task timed out after 1s
plain   failed     1ms       0s     no such file
report  killed     -         -      dependency "test" (id 3) failed: exit 2
6 jobs: 2 succeeded (1 cached), 3 failed, 1 killed or not run, in 2.5s
`, out.String())

	out.Reset()
	require.Equal(t, exitOK, writeSummary(&out, sampleTasks()[:2], time.Second))
}

// TestNoteOfAKilledJobEndsCleanly checks that the note of a job killed
// because a command failed ends with the log's name, not with the colon
// that introduced the command's output.
func TestNoteOfAKilledJobEndsCleanly(t *testing.T) {
	xe := &dagq.ExitError{Cmd: []string{"make", "lint"}, Code: 1, Log: ".dagq/logs/2-lint.1.log", Tail: "lint.go:3: unused"}
	reason := `dependency "lint" (id 2) failed: ` + strings.TrimPrefix(xe.Error(), "dagq: ")
	got := note(dagq.TaskInfo{Status: dagq.Killed, Reason: reason})
	require.Equal(t, `dependency "lint" (id 2) failed: command "make lint" exited with code 1 (log .dagq/logs/2-lint.1.log)`, got)
	require.Equal(t, "a:", firstLine("a:"), "a colon that ends the only line stays")
}
