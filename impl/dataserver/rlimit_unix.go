//go:build unix

package dataserver

import "syscall"

// openFileLimit returns the process's soft limit of open files, and false
// when it is unknown or unlimited.
func openFileLimit() (uint64, bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, false
	}
	cur := uint64(rl.Cur)
	if cur == 0 || cur >= 1<<40 { // RLIM_INFINITY, whatever its type here
		return 0, false
	}
	return cur, true
}
