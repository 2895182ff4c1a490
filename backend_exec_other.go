//go:build !unix

package dagq

import (
	"os"
	"os/exec"
)

// setGroup does nothing: this system has no process groups.
func setGroup(*exec.Cmd) {}

// signalGroup stops cmd's process: there is no group to signal, and
// SIGTERM may not exist, so both steps kill.
func signalGroup(cmd *exec.Cmd, _ bool) {
	_ = cmd.Process.Signal(os.Kill)
}
