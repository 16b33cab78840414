package peer

import (
	"errors"
	"net"
	"sync"
	"time"
)

// Fault is what a Proxy does to the bytes it relays.
type Fault int

const (
	// Pass relays both directions untouched (the default).
	Pass Fault = iota
	// Delay holds every chunk Proxy.SetDelay long before relaying it, in
	// both directions.
	Delay
	// Drip relays what the client sends one byte every DripInterval; the
	// server's bytes pass untouched.
	Drip
	// HalfOpen stops reading from both sockets and relays nothing, while
	// keeping both open: to the server the client is still connected but
	// never answers.
	HalfOpen
	// CutMidFrame relays only the first half of the next chunk the client
	// sends (a frame the client writes at once arrives partly), then closes
	// both TCP connections without a close frame.
	CutMidFrame
)

// DripInterval is the pace of Drip: one byte per interval.
const DripInterval = 10 * time.Millisecond

// Proxy is a TCP proxy on 127.0.0.1 between the suite's clients and an
// engine, which misbehaves on demand: it cuts a connection mid-frame, goes
// half-open, drips bytes or adds latency. Its fault applies to every
// connection it relays. Close stops it and waits for its goroutines.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	fault   Fault
	delay   time.Duration
	changed chan struct{} // closed and replaced at every change
	closed  bool
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
	done    chan struct{}
}

// NewProxy listens on a free loopback port and relays every connection to
// target (host:port).
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, changed: make(chan struct{}), conns: map[net.Conn]struct{}{}, done: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port; clients dial it instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Set changes the fault of every connection, current and future.
func (p *Proxy) Set(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
	close(p.changed)
	p.changed = make(chan struct{})
}

// SetDelay sets the fault Delay with the latency d.
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
	p.Set(Delay)
}

func (p *Proxy) state() (Fault, time.Duration, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fault, p.delay, p.changed
}

// Close stops accepting, closes every relayed connection and waits for the
// proxy's goroutines. It is idempotent.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

// track registers c; false when the proxy is closed.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.relay(client)
	}
}

// relay connects client to the target and pumps both directions until
// either side ends or the proxy closes.
func (p *Proxy) relay(client net.Conn) {
	defer p.wg.Done()
	d := net.Dialer{Timeout: 5 * time.Second}
	server, err := d.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client, server) {
		_ = client.Close()
		_ = server.Close()
		return
	}
	defer p.untrack(client, server)
	var once sync.Once
	cut := func() {
		once.Do(func() {
			_ = client.Close()
			_ = server.Close()
		})
	}
	var pumps sync.WaitGroup
	pumps.Go(func() { p.pump(client, server, true, cut) })
	pumps.Go(func() { p.pump(server, client, false, cut) })
	pumps.Wait()
	cut()
}

// errCut ends a pump that cut the connection on purpose.
var errCut = errors.New("cut")

// pump copies src to dst under the proxy's fault; fromClient tells the
// direction. It ends both connections (cut) when it stops.
func (p *Proxy) pump(src, dst net.Conn, fromClient bool, cut func()) {
	defer cut()
	buf := make([]byte, 32<<10)
	for {
		if !p.waitReading() {
			return
		}
		n, err := src.Read(buf)
		if n > 0 {
			if werr := p.forward(dst, buf[:n], fromClient); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// waitReading blocks while the fault is HalfOpen; false when the proxy closes.
func (p *Proxy) waitReading() bool {
	for {
		f, _, changed := p.state()
		if f != HalfOpen {
			return true
		}
		select {
		case <-p.done:
			return false
		case <-changed:
		}
	}
}

// forward writes chunk to dst as the fault says.
func (p *Proxy) forward(dst net.Conn, chunk []byte, fromClient bool) error {
	for {
		f, delay, changed := p.state()
		switch {
		case f == HalfOpen:
			// Read before the fault began: held until it ends.
			select {
			case <-p.done:
				return errCut
			case <-changed:
				continue
			}
		case f == Delay:
			if !p.sleep(delay) {
				return errCut
			}
			_, err := dst.Write(chunk)
			return err
		case f == Drip && fromClient:
			for i := range chunk {
				if _, err := dst.Write(chunk[i : i+1]); err != nil {
					return err
				}
				if !p.sleep(DripInterval) {
					return errCut
				}
			}
			return nil
		case f == CutMidFrame && fromClient:
			half := max(1, len(chunk)/2)
			if half >= len(chunk) {
				half = len(chunk) - 1
			}
			if half > 0 {
				if _, err := dst.Write(chunk[:half]); err != nil {
					return err
				}
			}
			return errCut
		default:
			_, err := dst.Write(chunk)
			return err
		}
	}
}

// sleep waits d; false when the proxy closes first.
func (p *Proxy) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return false
	case <-t.C:
		return true
	}
}
