package wsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/wsconform/wsconform/impl/dataserver"
)

// maxKeptBuffer is the largest read buffer kept between messages; a buffer
// grown by a bigger message is released after it.
const maxKeptBuffer = 1 << 20

// errStopped marks a read loop ended by the source's or endpoint's context.
var errStopped = errors.New("stopped")

// localClose marks a read loop that ended by sending its own close frame.
type localClose struct{ error }

func (e localClose) Unwrap() error { return e.error }

// closedLocally reports whether err ended the connection with a close frame
// the source sent (the closing handshake is still to be completed, and any
// exception is already recorded).
func closedLocally(err error) bool {
	var lc localClose
	return errors.Is(err, errStopped) || errors.As(err, &lc)
}

// readLoop reads messages from conn and hands text messages to Emit until the
// connection fails or ctx is done (then errStopped). When the source itself
// fails the connection (localClose), the exception is already recorded.
// Another goroutine must unblock the read when ctx is done (see closeOnDone).
//
// Reads are bounded: a message must be complete within s.msgTime of its
// first frame (endless fragments end the connection with 1008), and in
// server mode with an idle timeout a client must send something (a pong to
// the data server's pings included) within s.idle. The bounds are the read
// policy of the connection's dataserver.ReadGuard, so they cost a deadline
// change per network read rather than per message.
func (s *Source) readLoop(ctx context.Context, conn *websocket.Conn) error {
	if s.limit > 0 {
		conn.SetReadLimit(s.limit)
	}
	// inMsg numbers the message being read, 0 between messages. The policy
	// dates a message from the first network read it needs: its frames so
	// far came from the reader's buffer, just read, so that is when it began
	// give or take the time to take them out. No clock is read per message.
	var inMsg atomic.Int64
	var seq, seen int64
	var seenAt time.Time
	if g, ok := conn.NetConn().(readPolicy); ok {
		g.SetReadPolicy(func() time.Time {
			if cur := inMsg.Load(); cur != 0 {
				if cur != seen {
					seen, seenAt = cur, time.Now()
				}
				return seenAt.Add(s.msgTime)
			}
			if s.idle > 0 {
				return time.Now().Add(s.idle)
			}
			return time.Time{}
		})
		defer g.SetReadPolicy(nil)
	}
	var buf bytes.Buffer
	for {
		inMsg.Store(0)
		mt, r, err := conn.NextReader()
		if err != nil {
			if s.idle > 0 && isTimeout(err) && ctx.Err() == nil {
				return s.failConn(conn, websocket.CloseGoingAway, "idle timeout",
					fmt.Errorf("no message and no pong for %v (idle timeout): connection closed with %d",
						s.idle, websocket.CloseGoingAway))
			}
			return s.readError(ctx, err)
		}
		seq++
		inMsg.Store(seq)
		if mt != websocket.TextMessage && s.seams.skipBinary() {
			// Discarded, but within the same bounds as a text message.
			if _, err := io.Copy(io.Discard, r); err != nil {
				return s.messageError(ctx, conn, err, -1)
			}
			continue
		}
		if buf.Cap() > maxKeptBuffer {
			buf = bytes.Buffer{}
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return s.messageError(ctx, conn, err, buf.Len())
		}
		if mt == websocket.TextMessage && s.seams.checkUTF8() && !utf8.Valid(buf.Bytes()) {
			return s.failConn(conn, websocket.CloseInvalidFramePayloadData, "invalid UTF-8",
				fmt.Errorf("invalid UTF-8 in a text message of %d bytes: connection closed with %d",
					buf.Len(), websocket.CloseInvalidFramePayloadData))
		}
		payload := make([]byte, buf.Len())
		copy(payload, buf.Bytes())
		s.recordsIn.Add(1)

		s.emitMu.Lock()
		err = s.cfg.Emit(ctx, payload)
		s.emitMu.Unlock()
		if ctx.Err() != nil {
			return errStopped
		}
		if err != nil && s.seams.closeOnDecodeError() {
			return s.failConn(conn, websocket.CloseUnsupportedData, "decode error",
				fmt.Errorf("connection closed after a decode error: %w", err))
		}
	}
}

// readError turns a read failure into the error the loop returns.
func (s *Source) readError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errStopped
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		// gorilla has sent close 1009.
		err = fmt.Errorf("message larger than %d bytes: connection closed with %d: %w",
			s.limit, websocket.CloseMessageTooBig, err)
		s.exception(err)
		return localClose{err}
	}
	return err
}

// readPolicy is implemented by dataserver.ReadGuard: the connections of the
// data server and of client-mode dials.
type readPolicy interface {
	SetReadPolicy(f func() time.Time)
}

// messageError turns a failure while reading a message's frames into the
// error the loop returns; a message not complete within s.msgTime closes the
// connection with 1008. n is the bytes read so far, -1 for a discarded message.
func (s *Source) messageError(ctx context.Context, conn *websocket.Conn, err error, n int) error {
	if isTimeout(err) && ctx.Err() == nil {
		what := "a binary message"
		if n >= 0 {
			what = fmt.Sprintf("a message (%d bytes so far)", n)
		}
		return s.failConn(conn, websocket.ClosePolicyViolation, "message too slow",
			fmt.Errorf("%s not complete within %v of its first frame: connection closed with %d",
				what, s.msgTime, websocket.ClosePolicyViolation))
	}
	return s.readError(ctx, err)
}

// isTimeout tells whether err is a read deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// failConn records err as an exception, then closes the connection with
// code, so that a peer seeing the close also sees the exception.
func (s *Source) failConn(conn *websocket.Conn, code int, text string, err error) error {
	s.exception(err)
	sendClose(conn, code, text)
	return localClose{err}
}

// closeOnDone sends a close frame with code when ctx is done, so that a
// blocked read ends with the peer's reply or within CloseGrace. Call the
// returned stop function when the connection is finished.
func closeOnDone(ctx context.Context, conn *websocket.Conn, code int, text string) (stop func()) {
	return afterFunc(ctx, func() { sendClose(conn, code, text) })
}

// afterFunc is context.AfterFunc whose stop function also waits for f to
// finish when it has started, so no goroutine outlives stop.
func afterFunc(ctx context.Context, f func()) (stop func()) {
	done := make(chan struct{})
	cancel := context.AfterFunc(ctx, func() {
		defer close(done)
		f()
	})
	return func() {
		if !cancel() {
			<-done
		}
	}
}

// sendClose starts the closing handshake: a close frame, and reads bounded by
// dataserver.CloseGrace. Safe to call concurrently with a reader.
func sendClose(conn *websocket.Conn, code int, text string) {
	deadline := time.Now().Add(dataserver.CloseGrace)
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), deadline)
	_ = conn.NetConn().SetReadDeadline(deadline)
}

// linger completes a closing handshake the source started: it reads, at
// most dataserver.CloseGrace, until the peer's close reply (discarding data
// frames still in flight), so that closing our end does not reset the
// connection under unread data. When gorilla can read no more (the read limit
// was hit), it discards raw bytes until the peer closes the TCP connection.
func linger(conn *websocket.Conn) {
	nc := conn.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(dataserver.CloseGrace))
	for {
		_, _, err := conn.NextReader()
		if err == nil {
			continue
		}
		if errors.Is(err, websocket.ErrReadLimit) {
			_, _ = io.Copy(io.Discard, nc)
		}
		return
	}
}
