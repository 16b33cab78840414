package dataserver

import (
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ReadGuard is a net.Conn whose read deadline, while a policy is set, is
// decided by the policy just before each read that reaches the network. A
// WebSocket reader buffers what it reads, so a policy costs a deadline
// change per network read, not per message. Deadlines set with
// SetReadDeadline or SetDeadline (a closing handshake's grace, say) still
// apply: the earlier of the two wins. Connections of the data server are
// ReadGuards (reach them with websocket.Conn.NetConn); client-mode sources
// wrap their connections in one too.
type ReadGuard struct {
	net.Conn
	policy atomic.Pointer[func() time.Time]

	mu       sync.Mutex
	explicit time.Time // the latest SetReadDeadline or SetDeadline, zero for none
	want     time.Time // the policy's latest deadline, zero for none
	wait     time.Time // the bound of awaitReadable, zero for none
	applied  time.Time // the deadline the connection has
}

// NewReadGuard wraps c; without a policy it behaves as c.
func NewReadGuard(c net.Conn) *ReadGuard { return &ReadGuard{Conn: c} }

// SetReadPolicy makes f decide the read deadline before every network read
// (zero: none); nil removes the policy, leaving the deadline set with
// SetReadDeadline.
func (g *ReadGuard) SetReadPolicy(f func() time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f == nil {
		g.policy.Store(nil)
		g.want = time.Time{}
		_ = g.applyLocked()
		return
	}
	g.policy.Store(&f)
}

// awaitReadable blocks, reading nothing, until the connection has bytes to
// read or its next read is bound to fail (the peer closed it, an error, the
// read deadline passed), or until limit when it is not zero. It reports false
// at once when the connection cannot be watched that way (see peekWait); the
// caller's first read then waits instead. When limit passes, it stays the
// connection's read deadline, so that the caller's first read fails with the
// timeout it waited for.
func (g *ReadGuard) awaitReadable(limit time.Time) bool {
	raw, ok := peekable(g.Conn)
	if !ok {
		return false
	}
	if limit.IsZero() {
		_ = peekWait(raw)
		return true
	}
	g.awaitUntil(raw, limit)
	return true
}

// awaitUntil is awaitReadable bounded by limit, in a frame of its own so that
// a wait without a limit keeps a smaller stack.
func (g *ReadGuard) awaitUntil(raw syscall.RawConn, limit time.Time) {
	g.mu.Lock()
	g.wait = limit
	err := g.applyLocked()
	g.mu.Unlock()
	if err != nil {
		return
	}
	if err := peekWait(raw); err == nil || time.Now().Before(limit) {
		g.mu.Lock()
		g.wait = time.Time{}
		_ = g.applyLocked()
		g.mu.Unlock()
	}
}

// Read applies the policy's deadline, then reads.
func (g *ReadGuard) Read(p []byte) (int, error) {
	if f := g.policy.Load(); f != nil {
		want := (*f)()
		g.mu.Lock()
		g.want = want
		err := g.applyLocked()
		g.mu.Unlock()
		if err != nil {
			return 0, err
		}
	}
	return g.Conn.Read(p)
}

// SetReadDeadline sets an explicit read deadline; with a policy, the
// earlier of the two applies.
func (g *ReadGuard) SetReadDeadline(t time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.explicit = t
	return g.applyLocked()
}

// SetDeadline sets the write deadline and an explicit read deadline.
func (g *ReadGuard) SetDeadline(t time.Time) error {
	if err := g.SetReadDeadline(t); err != nil {
		return err
	}
	return g.Conn.SetWriteDeadline(t)
}

// applyLocked gives the connection the earlier of the explicit and the
// policy's deadline, when that changed. g.mu is held.
func (g *ReadGuard) applyLocked() error {
	eff := g.explicit
	for _, t := range [...]time.Time{g.want, g.wait} {
		if !t.IsZero() && (eff.IsZero() || t.Before(eff)) {
			eff = t
		}
	}
	if eff.Equal(g.applied) {
		return nil
	}
	g.applied = eff
	return g.Conn.SetReadDeadline(eff)
}
