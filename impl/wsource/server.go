package wsource

import (
	"context"

	"github.com/gorilla/websocket"
)

// serve is the data server Handler of the source's endpoint: one call per
// client connection.
func (s *Source) serve(epCtx context.Context, conn *websocket.Conn) {
	if s.isClosed() {
		// Only reachable when the endpoint outlives the source
		// (defect KeepEndpointAfterStop, seams_selftest.go).
		refuseClosed(conn)
		return
	}
	// Until the client sends something, the connection waits here, holding
	// none of what its reads need (contexts, read policy, buffers), on a
	// stack kept small: serveReadable's frame comes after the wait. The
	// endpoint going away, which the source's Close does, ends the wait.
	s.cfg.DataServer.AwaitReadable(conn)
	s.serveReadable(epCtx, conn)
}

// serveReadable reads a client connection of the source until it ends.
func (s *Source) serveReadable(epCtx context.Context, conn *websocket.Conn) {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		refuseClosed(conn)
		return
	}
	s.wg.Add(1)
	ctx := s.connCtxLocked(epCtx)
	s.mu.Unlock()
	defer s.wg.Done()

	code := s.seams.stopCloseCode(websocket.CloseGoingAway)
	stopClose := closeOnDone(ctx, conn, code, "source closed")
	defer stopClose()

	remote := conn.RemoteAddr().String()
	s.log.Debug("client connected", "remote", remote)
	err := s.readLoop(ctx, conn)
	switch {
	case closedLocally(err):
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
		// The client closed the connection cleanly.
		s.log.Debug("client closed", "remote", remote, "err", err)
	default:
		s.exception(err)
	}
	if closedLocally(err) {
		linger(conn)
	}
}

// isClosed tells whether Close has been called.
func (s *Source) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stateClosed
}

// refuseClosed closes a connection of a closed source with 1001.
func refuseClosed(conn *websocket.Conn) {
	sendClose(conn, websocket.CloseGoingAway, "source closed")
	linger(conn)
}

// connCtxLocked returns the context of the connections of one registration
// of the source's endpoint: done when the endpoint goes away (epCtx) or the
// source closes. It is made at the registration's first connection and shared
// by all of them, so that an idle connection holds no context of its own.
// s.mu must be held.
func (s *Source) connCtxLocked(epCtx context.Context) context.Context {
	if s.ep.of != epCtx {
		if s.ep.stop != nil {
			s.ep.stop()
		}
		ctx, cancel := context.WithCancel(epCtx)
		stopSource := context.AfterFunc(s.ctx, cancel)
		s.ep.of, s.ep.ctx = epCtx, ctx
		s.ep.stop = func() {
			stopSource()
			cancel()
		}
	}
	return s.ep.ctx
}
