package dataserver

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// refusalSlots bounds the connections being refused at one time (each holds
// a file descriptor while it is told why); beyond it, a connection over the
// cap is closed at once.
const refusalSlots = 32

// refusalTime bounds how long a refused connection may take to send its
// request and read the answer.
const refusalTime = time.Second

// fallbackMaxConnections is the connection cap when the open-file limit is
// unknown or unlimited.
const fallbackMaxConnections = 10000

// DefaultMaxConnections is the connection cap used when Config.MaxConnections
// is zero: three quarters of the process's open-file limit (RLIMIT_NOFILE),
// less the descriptors kept for refusing connections, so that the REST API,
// rest sinks and client-mode dials keep a quarter of the descriptors however
// many clients connect; 10000 when the limit is unknown or unlimited. Under
// `ulimit -n 1024` it is 736.
func DefaultMaxConnections() int {
	n, ok := openFileLimit()
	if !ok {
		return fallbackMaxConnections
	}
	return MaxConnectionsFor(n)
}

// MaxConnectionsFor is the default connection cap under an open-file limit
// of n.
func MaxConnectionsFor(n uint64) int {
	c := int64(n)*3/4 - refusalSlots
	if c < 1 {
		return 1
	}
	return int(c)
}

// capListener counts the connections of a Server, from accept to close, and
// refuses those over the cap with HTTP 503.
type capListener struct {
	net.Listener
	s     *Server
	slots chan struct{}
	wg    sync.WaitGroup // refusals in progress
}

func newCapListener(ln net.Listener, s *Server) *capListener {
	return &capListener{Listener: ln, s: s, slots: make(chan struct{}, refusalSlots)}
}

// Accept returns the next connection under the cap; connections over it are
// refused on the side.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if n := l.s.active.Add(1); l.s.limit < 0 || n <= l.s.limit {
			return &countedConn{ReadGuard: NewReadGuard(c), active: &l.s.active}, nil
		}
		l.s.active.Add(-1)
		l.s.refused.Add(1)
		l.refuse(c)
	}
}

// refuse answers c with 503 and closes it, on a goroutine of its own while a
// refusal slot is free, else at once without an answer.
func (l *capListener) refuse(c net.Conn) {
	select {
	case l.slots <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	l.wg.Go(func() {
		defer func() { <-l.slots }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refusalTime))
		// Read the request first: closing over unread data would reset the
		// connection before the client reads the answer.
		buf := make([]byte, 4096)
		n := 0
		for n < len(buf) && !bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
			m, err := c.Read(buf[n:])
			n += m
			if err != nil {
				break
			}
		}
		body := fmt.Sprintf("data server connection limit reached (%d connections)\n", l.s.limit)
		_, _ = c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\n" +
			"Content-Length: " + strconv.Itoa(len(body)) + "\r\n" +
			"Retry-After: 1\r\n" +
			"Connection: close\r\n\r\n" + body))
	})
}

// wait waits for the refusals in progress; the listener must be closed.
func (l *capListener) wait() { l.wg.Wait() }

// countedConn is a connection counted against the cap until it is closed.
type countedConn struct {
	*ReadGuard
	active *atomic.Int64
	once   sync.Once
}

// Read reads through the guard. A client speaking plain HTTP to a wss data
// server gets net/http's answer, HTTP 400 "Client sent an HTTP request to an
// HTTPS server", which http.Server gives only to connections it sees as a
// *tls.Conn, not to this wrapper.
func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.ReadGuard.Read(p)
	var re tls.RecordHeaderError
	if err != nil && errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
		_, _ = io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
	}
	return n, err
}

// looksLikeHTTP tells whether the first five bytes of a connection start an
// HTTP request, as net/http judges them.
func looksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.active.Add(-1) })
	return c.ReadGuard.Close()
}
