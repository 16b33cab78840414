//go:build linux

package dataserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// heldListener listens on a socket that stays bound while the data server is
// closed: stop ends listen(2) with shutdown(2), so connections are refused,
// and clears SO_REUSEADDR, so no other socket can bind the port and no
// outgoing connection takes it as its source port; listen starts listen(2)
// again on the same socket.
type heldListener struct {
	file *os.File // the bound socket, kept between listens
}

// bindHeld binds addr and listens on it, keeping the socket for later
// listens. A port 0 is first resolved to a free port and then bound by
// number, because Linux keeps a socket's port on shutdown only when it was
// bound by number; should another socket take that port in between, another
// free port is tried.
func bindHeld(addr string) (*heldListener, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, err
	}
	var ln net.Listener
	for attempt := 0; ; attempt++ {
		bind := addr
		if port == "0" {
			probe, err := net.Listen("tcp", addr)
			if err != nil {
				return nil, nil, err
			}
			_, free, _ := net.SplitHostPort(probe.Addr().String())
			if err := probe.Close(); err != nil {
				return nil, nil, err
			}
			bind = net.JoinHostPort(host, free)
		}
		ln, err = net.Listen("tcp", bind)
		if err == nil {
			break
		}
		if port != "0" || !errors.Is(err, syscall.EADDRINUSE) || attempt == 7 {
			return nil, nil, err
		}
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		_ = ln.Close()
		return nil, nil, fmt.Errorf("keep the socket of %s: %w", ln.Addr(), err)
	}
	return &heldListener{file: f}, ln, nil
}

// listen listens again on the held socket.
func (h *heldListener) listen() (net.Listener, error) {
	err := h.control(func(fd int) error {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
			return fmt.Errorf("setsockopt SO_REUSEADDR: %w", err)
		}
		if err := syscall.Listen(fd, backlog()); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return net.FileListener(h.file)
}

// stop ends listening and keeps the port bound. The listener serving the
// socket must be closed first.
func (h *heldListener) stop() error {
	return h.control(func(fd int) error {
		if err := syscall.Shutdown(fd, syscall.SHUT_RD); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0); err != nil {
			return fmt.Errorf("setsockopt SO_REUSEADDR: %w", err)
		}
		return nil
	})
}

// close releases the port.
func (h *heldListener) close() error {
	_ = h.control(func(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RDWR) })
	return h.file.Close()
}

func (h *heldListener) control(f func(fd int) error) error {
	rc, err := h.file.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// backlog is the listen(2) backlog Go itself uses: the system's maximum.
func backlog() int {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
			return n
		}
	}
	return syscall.SOMAXCONN
}
