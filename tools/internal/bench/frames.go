package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/peer"
)

// payloads are small JSON objects like a sensor feed's, cycled by the
// senders; every workload sends the same ones to every engine.
var payloads = func() [][]byte {
	m := make([][]byte, 1024)
	for i := range m {
		m[i] = fmt.Appendf(nil, `{"id":%d,"temperature":%d.5,"humidity":%d,"name":"sensor-%d"}`, i, 20+i%10, 40+i%30, i%8)
	}
	return m
}()

// frameBatch is every payload encoded as frames, back to back, with the end
// offset of each frame, so n frames are written as whole copies of the batch
// and one prefix.
type frameBatch struct {
	buf  []byte
	ends []int
}

func newFrameBatch(mask bool) *frameBatch {
	b := &frameBatch{}
	for _, p := range payloads {
		b.buf = peer.AppendFrame(b.buf, true, 0x1, p, mask)
		b.ends = append(b.ends, len(b.buf))
	}
	return b
}

// write writes n frames to w.
func (b *frameBatch) write(w io.Writer, n int) error {
	for n >= len(b.ends) {
		if _, err := w.Write(b.buf); err != nil {
			return err
		}
		n -= len(b.ends)
	}
	if n > 0 {
		if _, err := w.Write(b.buf[:b.ends[n-1]]); err != nil {
			return err
		}
	}
	return nil
}

var (
	maskedFrames   = newFrameBatch(true)
	unmaskedFrames = newFrameBatch(false)
	closeFrame     = peer.AppendFrame(nil, true, 0x8, []byte{0x03, 0xe8}, true) // 1000, masked
)

// rawClient is a WebSocket client connection made by hand: the handshake is
// written and read on the TCP connection, and then nothing holds it but the
// socket (no goroutine, no buffers), so that many of them cost the bench
// process little.
type rawClient struct {
	net.Conn
}

// dialRaw connects to addr and upgrades path. The handshake is bounded by
// timeout.
func dialRaw(ctx context.Context, addr, path string, timeout time.Duration) (*rawClient, error) {
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(timeout))
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, fmt.Errorf("handshake with %s%s: %w", addr, path, err)
	}
	// The server sends nothing after its 101 until we do, so the reader
	// holds no bytes beyond the response when it is dropped.
	br := bufio.NewReaderSize(c, 512)
	status, err := br.ReadString('\n')
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("handshake with %s%s: %w", addr, path, err)
	}
	if !strings.HasPrefix(status, "HTTP/1.1 101") {
		c.Close()
		return nil, fmt.Errorf("handshake with %s%s: %s", addr, path, strings.TrimSpace(status))
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("handshake with %s%s: %w", addr, path, err)
		}
		if line == "\r\n" {
			break
		}
	}
	if br.Buffered() > 0 {
		c.Close()
		return nil, errors.New("handshake: the server sent data after its response")
	}
	_ = c.SetDeadline(time.Time{})
	return &rawClient{Conn: c}, nil
}

// close sends a close frame (1000) and closes the socket. The socket is
// reset rather than left in TIME_WAIT: thousands of those would slow the
// port search of every later dial and so the workload measured next.
func (c *rawClient) close() {
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write(closeFrame)
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
