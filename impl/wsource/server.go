package wsource

import (
	"context"

	"github.com/gorilla/websocket"
)

// serve is the data server Handler of the source's endpoint: one call per
// client connection.
func (s *Source) serve(epCtx context.Context, conn *websocket.Conn) {
	s.mu.Lock()
	if s.state == stateClosed {
		// Only reachable when the endpoint outlives the source
		// (defect KeepEndpointAfterStop, seams_selftest.go).
		s.mu.Unlock()
		sendClose(conn, websocket.CloseGoingAway, "source closed")
		linger(conn)
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	ctx, cancel := context.WithCancel(epCtx)
	defer cancel()
	stopSource := afterFunc(s.ctx, cancel)
	defer stopSource()
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
