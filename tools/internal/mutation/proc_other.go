//go:build !unix

package mutation

import "os/exec"

// setProcessGroup leaves the default: a cancellation kills the process.
func setProcessGroup(*exec.Cmd) {}
