package peer

import (
	"net"
	"time"
)

// PortOpen tells whether a TCP connection to addr (host:port) succeeds within
// one second. The connection is closed at once.
func PortOpen(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}
