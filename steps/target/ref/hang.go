package ref

import (
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// hangServer is an HTTP server on loopback that reads each request and never
// answers it; a request ends when its client gives up or the server closes.
type hangServer struct {
	srv  *http.Server
	ln   net.Listener
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func newHangServer() (*hangServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hanging sink server: %w", err)
	}
	h := &hangServer{ln: ln, quit: make(chan struct{}), done: make(chan struct{})}
	h.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-h.quit:
		}
		panic(http.ErrAbortHandler) // close the connection without an answer
	})}
	go func() {
		defer close(h.done)
		_ = h.srv.Serve(ln) // http.ErrServerClosed after close
	}()
	return h, nil
}

// url is where the engine posts.
func (h *hangServer) url() string { return "http://" + h.ln.Addr().String() + "/hang" }

// close ends every request and the server, and waits for it; idempotent.
func (h *hangServer) close() {
	h.once.Do(func() {
		close(h.quit)
		_ = h.srv.Close()
		<-h.done
	})
}
