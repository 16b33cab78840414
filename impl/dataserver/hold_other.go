//go:build !linux

package dataserver

import "net"

// heldListener, outside Linux, keeps nothing: the port is bound again at
// every listen, and another socket may take it while the server is closed.
type heldListener struct {
	addr string
}

func bindHeld(addr string) (*heldListener, net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	return &heldListener{addr: ln.Addr().String()}, ln, nil
}

func (h *heldListener) listen() (net.Listener, error) { return net.Listen("tcp", h.addr) }

func (h *heldListener) stop() error { return nil }

func (h *heldListener) close() error { return nil }
