//go:build unix

package mutation

import (
	"os/exec"
	"syscall"
)

// setProcessGroup runs the command in its own process group and makes a
// cancellation kill the whole group, so nothing it started outlives it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
