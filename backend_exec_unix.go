//go:build unix

package dagq

import (
	"os/exec"
	"syscall"
	"time"
)

// setGroup makes cmd the leader of a new process group.
func setGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends SIGTERM, or SIGKILL if kill is set, to cmd's process
// group, and reports whether the group still had a process.
func signalGroup(cmd *exec.Cmd, kill bool) bool {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	return syscall.Kill(-cmd.Process.Pid, sig) == nil
}

// awaitGroup waits until cmd's process group has no process left (killed
// processes take a moment to exit), at most limit. There is no way to
// wait for processes that are not our children but to poll.
func awaitGroup(cmd *exec.Cmd, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for d := 100 * time.Microsecond; syscall.Kill(-cmd.Process.Pid, 0) == nil && time.Now().Before(deadline); d = min(2*d, 50*time.Millisecond) {
		time.Sleep(d)
	}
}
