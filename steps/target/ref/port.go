package ref

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The data server listens on its reserved port again after each restart.
// A port from the kernel's ephemeral range could meanwhile become the local
// port of some outgoing connection, and listening would then fail; so the
// port is taken below that range when the range is known. While a target
// holds a port it also holds a UDP socket bound to the same port number: the
// kernel then refuses that number to every other target, in this process or in
// another one running the suite at the same time, without touching TCP.
const (
	lowestPort   = 20000
	portAttempts = 64
)

var (
	reservedMu sync.Mutex
	reserved   = map[int]net.PacketConn{}
)

// reservePort returns 127.0.0.1:port for a port that was free when it was
// tried; release it with releasePort.
func reservePort() (string, error) {
	if low, ok := ephemeralLow(); ok && low-lowestPort > 1000 {
		for range portAttempts {
			p := lowestPort + rand.IntN(low-lowestPort)
			if claim(p) {
				addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
				if free(addr) {
					return addr, nil
				}
				releasePort(addr)
			}
		}
	}
	for range portAttempts {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", fmt.Errorf("reserve a data server port on 127.0.0.1: %w", err)
		}
		addr := ln.Addr().String()
		if err := ln.Close(); err != nil {
			return "", fmt.Errorf("reserve data server port %s: %w", addr, err)
		}
		if claim(ln.Addr().(*net.TCPAddr).Port) {
			return addr, nil
		}
	}
	return "", fmt.Errorf("reserve a data server port on 127.0.0.1: no free port in %d attempts", portAttempts)
}

// releasePort makes a reserved port available to later targets.
func releasePort(addr string) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return
	}
	reservedMu.Lock()
	defer reservedMu.Unlock()
	if pc, ok := reserved[n]; ok {
		_ = pc.Close()
		delete(reserved, n)
	}
}

// claim takes port for this target, and false when another target, here or in
// another process, holds it.
func claim(port int) bool {
	reservedMu.Lock()
	defer reservedMu.Unlock()
	if _, ok := reserved[port]; ok {
		return false
	}
	pc, err := net.ListenPacket("udp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	reserved[port] = pc
	return true
}

// free tells whether addr can be listened on now.
func free(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	return ln.Close() == nil
}

// ephemeralLow returns the first port of the kernel's ephemeral range (Linux).
func ephemeralLow() (int, bool) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, false
	}
	low, err := strconv.Atoi(f[0])
	if err != nil || low <= 0 || low > 65535 {
		return 0, false
	}
	return low, true
}
