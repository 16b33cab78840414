package ref

import (
	"net"
	"strconv"
	"testing"
)

// A port whose number another holder has bound (here a UDP socket, as a
// target in another process would) is never handed to a target, and a released
// port can be claimed again.
func TestClaimRespectsAnotherHolder(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := pc.LocalAddr().(*net.UDPAddr).Port
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if claim(port) {
		releasePort(addr)
		t.Fatalf("port %d was claimed although another socket holds it", port)
	}
	if err := pc.Close(); err != nil {
		t.Fatal(err)
	}
	if !claim(port) {
		t.Fatalf("port %d could not be claimed after its holder let go", port)
	}
	if claim(port) {
		t.Fatalf("port %d was claimed twice", port)
	}
	releasePort(addr)
}
