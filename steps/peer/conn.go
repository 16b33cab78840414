package peer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// ErrClosed is returned by operations on a connection that has ended.
var ErrClosed = errors.New("peer: connection closed")

// conn is one WebSocket connection of a peer, either side. It owns one reader
// goroutine that discards data messages, answers pings and close frames, and
// records how the connection ended. Every write, gorilla's and the raw frame
// writer's, is serialised by wmu.
type conn struct {
	ws   *websocket.Conn
	mask bool // client side: frames written by hand are masked

	wmu sync.Mutex

	pmu   sync.Mutex
	pongs map[string][]chan struct{}

	done      chan struct{} // closed when the reader goroutine returns
	closeCode int           // valid after done
	closeText string        // valid after done
	readErr   error         // valid after done
}

func newConn(ws *websocket.Conn, mask bool) *conn {
	return newConnPings(ws, mask, true)
}

// newConnPings is newConn; answerPings false makes the connection ignore
// pings, as a peer that is gone without closing does.
func newConnPings(ws *websocket.Conn, mask, answerPings bool) *conn {
	c := &conn{
		ws:    ws,
		mask:  mask,
		pongs: map[string][]chan struct{}{},
		done:  make(chan struct{}),
	}
	if answerPings {
		ws.SetPingHandler(c.onPing)
	} else {
		ws.SetPingHandler(func(string) error { return nil })
	}
	ws.SetPongHandler(c.onPong)
	ws.SetCloseHandler(c.onClose)
	go c.read()
	return c
}

// read consumes the connection until it ends. When it ends, by a close
// handshake or an error, the TCP connection is closed at once, so the other
// side never waits for it.
func (c *conn) read() {
	defer close(c.done)
	defer func() { _ = c.ws.NetConn().Close() }()
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			c.readErr = err
			c.closeCode = websocket.CloseAbnormalClosure
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.closeCode, c.closeText = ce.Code, ce.Text
			}
			return
		}
		// Data messages are not used by the suite; a read error surfaces on
		// the next NextReader call.
		_, _ = io.Copy(io.Discard, r)
	}
}

func (c *conn) onPing(data string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	return ignorable(err)
}

func (c *conn) onPong(data string) error {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	for _, ch := range c.pongs[data] {
		close(ch)
	}
	delete(c.pongs, data)
	return nil
}

// onClose answers a close frame with the same code, as RFC 6455 asks.
func (c *conn) onClose(code int, _ string) error {
	msg := []byte{}
	if code != websocket.CloseNoStatusReceived {
		msg = websocket.FormatCloseMessage(code, "")
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = ignorable(c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second)))
	return nil
}

// ignorable drops write errors that only say the connection is going away.
func ignorable(err error) error {
	if err == nil || errors.Is(err, websocket.ErrCloseSent) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return nil
	}
	return err
}

func (c *conn) ended() error {
	select {
	case <-c.done:
		return fmt.Errorf("%w (close %d)", ErrClosed, c.closeCode)
	default:
		return nil
	}
}

func (c *conn) writeMessage(ctx context.Context, typ int, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.ended(); err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(deadline(ctx)); err != nil {
		return err
	}
	return c.ws.WriteMessage(typ, data)
}

// writeRaw writes already encoded frames straight to the network connection.
func (c *conn) writeRaw(ctx context.Context, frames []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.ended(); err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	nc := c.ws.NetConn()
	if err := nc.SetWriteDeadline(deadline(ctx)); err != nil {
		return err
	}
	_, err := nc.Write(frames)
	return err
}

func (c *conn) sendRawText(ctx context.Context, payload []byte) error {
	if err := c.writeRaw(ctx, AppendFrame(nil, true, opText, payload, c.mask)); err != nil {
		return fmt.Errorf("send raw text frame of %d bytes: %w", len(payload), err)
	}
	return nil
}

func (c *conn) sendFragmented(ctx context.Context, parts []string) error {
	if len(parts) == 0 {
		return errors.New("send fragmented message: no parts")
	}
	if err := c.writeRaw(ctx, fragmentFrames(parts, c.mask)); err != nil {
		return fmt.Errorf("send message in %d fragments: %w", len(parts), err)
	}
	return nil
}

// endlessBatch is how many empty continuation frames sendEndlessFragments
// writes at a time.
const endlessBatch = 1000

// sendEndlessFragments writes the first frame of a text message and then
// empty continuation frames, never the final one, until the connection ends
// or ctx is done. It returns how many continuation frames were written; an
// error only when the writes failed while the connection was still up.
func (c *conn) sendEndlessFragments(ctx context.Context) (int, error) {
	if err := c.writeRaw(ctx, AppendFrame(nil, false, opText, []byte(`{"never":`), c.mask)); err != nil {
		return 0, fmt.Errorf("send the first fragment: %w", err)
	}
	batch := emptyContinuations(endlessBatch, c.mask)
	n := 0
	for ctx.Err() == nil {
		if err := c.writeRaw(ctx, batch); err != nil {
			select {
			case <-c.done:
				return n, nil
			case <-time.After(closeWait):
			}
			if ctx.Err() != nil {
				return n, nil
			}
			return n, fmt.Errorf("send empty continuation frames after %d: %w", n, err)
		}
		n += endlessBatch
	}
	return n, nil
}

// ping sends a ping with data and waits for the pong carrying the same data.
func (c *conn) ping(ctx context.Context, data string) error {
	ch := make(chan struct{})
	c.pmu.Lock()
	c.pongs[data] = append(c.pongs[data], ch)
	c.pmu.Unlock()
	defer func() {
		c.pmu.Lock()
		defer c.pmu.Unlock()
		waiters := c.pongs[data]
		for i, w := range waiters {
			if w == ch {
				c.pongs[data] = append(waiters[:i:i], waiters[i+1:]...)
				break
			}
		}
		if len(c.pongs[data]) == 0 {
			delete(c.pongs, data)
		}
	}()
	if err := c.ended(); err != nil {
		return fmt.Errorf("ping %q: %w", data, err)
	}
	c.wmu.Lock()
	err := c.ws.WriteControl(websocket.PingMessage, []byte(data), deadline(ctx))
	c.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("ping %q: %w", data, err)
	}
	select {
	case <-ch:
		return nil
	case <-c.done:
		return fmt.Errorf("ping %q: no pong: %w (close %d)", data, ErrClosed, c.closeCode)
	case <-ctx.Done():
		return fmt.Errorf("ping %q: no pong: %w", data, ctx.Err())
	}
}

// waitClose waits for the connection to end and returns the close code the
// other side sent, or 1006 when it ended without a close frame.
func (c *conn) waitClose(ctx context.Context) (int, error) {
	select {
	case <-c.done:
		return c.closeCode, nil
	case <-ctx.Done():
		return 0, fmt.Errorf("wait for close frame: %w", ctx.Err())
	}
}

// closeWith sends a close frame, waits for the other side to answer or end
// the connection (bounded by ctx and closeWait), then closes TCP.
func (c *conn) closeWith(ctx context.Context, code int, reason string) error {
	var err error
	if c.ended() == nil {
		c.wmu.Lock()
		err = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline(ctx))
		c.wmu.Unlock()
		if ignorable(err) == nil {
			err = nil
		}
		t := time.NewTimer(closeWait)
		select {
		case <-c.done:
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	c.abort()
	if err != nil {
		return fmt.Errorf("close with %d: %w", code, err)
	}
	return nil
}

// abort closes the connection without a close frame and waits for the reader.
func (c *conn) abort() {
	_ = c.ws.NetConn().Close()
	<-c.done
}

// dropTCP closes the TCP connection underneath, bypassing any TLS close
// alert, and waits for the reader.
func (c *conn) dropTCP() {
	nc := c.ws.NetConn()
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	_ = nc.Close()
	<-c.done
}
