//go:build !linux

package dataserver

import (
	"net"
	"syscall"
)

// peekable reports false: awaitReadable watches sockets on Linux only, and
// elsewhere the caller's first read waits.
func peekable(net.Conn) (syscall.RawConn, bool) { return nil, false }

func peekWait(syscall.RawConn) error { return nil }
