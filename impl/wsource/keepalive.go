package wsource

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// keepAlive pings conn every interval from a timer (no goroutine of its own
// while it waits). When a whole interval after a ping passes without a pong,
// it calls dead once, and pings no more. stop ends it and waits for a tick in
// progress.
func keepAlive(conn *websocket.Conn, interval time.Duration, dead func(error)) (stop func()) {
	var ponged atomic.Bool
	ponged.Store(true) // the first tick only pings
	answer := conn.PongHandler()
	conn.SetPongHandler(func(data string) error {
		ponged.Store(true)
		return answer(data)
	})
	var mu sync.Mutex
	stopped := false
	var t *time.Timer
	t = time.AfterFunc(interval, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if !ponged.Swap(false) {
			stopped = true
			dead(fmt.Errorf("ping timeout: no pong from %s within %s: connection closed", conn.RemoteAddr(), interval))
			return
		}
		_ = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(interval))
		t.Reset(interval)
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}
