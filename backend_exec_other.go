//go:build !unix

package dagq

import (
	"os"
	"os/exec"
	"time"
)

// setGroup does nothing: this system has no process groups.
func setGroup(*exec.Cmd) {}

// signalGroup kills cmd's process: there is no group to signal, and
// SIGTERM may not exist, so both steps kill. It reports whether the
// process was still there.
func signalGroup(cmd *exec.Cmd, _ bool) bool {
	return cmd.Process.Signal(os.Kill) == nil
}

// awaitGroup does nothing: Wait has reaped the only process.
func awaitGroup(*exec.Cmd, time.Duration) {}
