package dataserver

import (
	"net"
	"syscall"
	"unsafe"
)

// peekable returns the socket of c when awaitReadable can watch it: a plain
// TCP connection, whose bytes nobody buffers above the socket (a TLS
// connection may hold decrypted bytes, or read records that carry none).
func peekable(c net.Conn) (syscall.RawConn, bool) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil, false
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return nil, false
	}
	return raw, true
}

// peekWait waits in the runtime's network poller until the socket has a byte
// to read, or reading it would not block (end of stream, an error), without
// consuming anything: recv(2) with MSG_PEEK and MSG_DONTWAIT, which never
// blocks, so a raw system call. It returns the poller's error (the read
// deadline passed, the connection closed), nil otherwise. Its frames are
// small: they are most of what an idle connection's stack holds.
func peekWait(raw syscall.RawConn) error {
	b := new(byte)
	return raw.Read(func(fd uintptr) bool {
		for {
			_, _, errno := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(b)), 1,
				syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
			switch errno {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			}
			return true
		}
	})
}
