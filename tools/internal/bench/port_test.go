package bench

import (
	"net"

	. "github.com/onsi/gomega"
)

// freeLoopback returns a loopback address that was free a moment ago.
func freeLoopback() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	ExpectWithOffset(1, ln.Close()).To(Succeed())
	return addr
}
