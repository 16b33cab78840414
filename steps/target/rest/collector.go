package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wsconform/wsconform/steps/target"
)

// maxRecordBody bounds one request body the collector accepts.
const maxRecordBody = 64 << 20

// collector is the HTTP server the engine's rest sinks post records to. Each
// rule has its own route; records of one route are delivered in the order
// they arrived, and never dropped.
type collector struct {
	ln   net.Listener
	srv  *http.Server
	base string // URL prefix the engine posts to
	done chan struct{}
	quit chan struct{} // closed by close: hanging requests end

	mu     sync.Mutex
	routes map[string]*route
	closed bool
}

func newCollector(addr, postBase string) (*collector, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("record collector on %s: %w", addr, err)
	}
	c := &collector{
		ln:     ln,
		routes: map[string]*route{},
		done:   make(chan struct{}),
		quit:   make(chan struct{}),
	}
	if postBase == "" {
		postBase = "http://" + ln.Addr().String()
	}
	c.base = postBase
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(c.done)
		_ = c.srv.Serve(ln) // returns http.ErrServerClosed after close
	}()
	return c, nil
}

// Addr is the collector's listening address.
func (c *collector) Addr() string { return c.ln.Addr().String() }

// add registers a route at path (starting with "/") and starts its delivery.
func (c *collector) add(path string) (*route, error) {
	return c.addRoute(path, false)
}

// addHanging registers a route at path that reads every request and never
// answers it: a request ends when the engine gives up, or without an answer
// when the route is removed or the collector closes.
func (c *collector) addHanging(path string) (*route, error) {
	return c.addRoute(path, true)
}

func (c *collector) addRoute(path string, hang bool) (*route, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("record collector is closed")
	}
	if _, dup := c.routes[path]; dup {
		return nil, fmt.Errorf("record collector: path %s is in use", path)
	}
	r := newRoute(c.base + path)
	r.hang = hang
	c.routes[path] = r
	return r, nil
}

// remove unregisters the route at path and stops its delivery.
func (c *collector) remove(path string) {
	c.mu.Lock()
	r := c.routes[path]
	delete(c.routes, path)
	c.mu.Unlock()
	if r != nil {
		r.q.Close()
		close(r.gone)
	}
}

func (c *collector) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost && req.Method != http.MethodPut {
		http.Error(w, "records are posted", http.StatusMethodNotAllowed)
		return
	}
	c.mu.Lock()
	r := c.routes[req.URL.Path]
	c.mu.Unlock()
	if r == nil {
		http.Error(w, "no rule collects at "+req.URL.Path, http.StatusNotFound)
		return
	}
	if r.hang {
		select {
		case <-req.Context().Done():
		case <-r.gone:
		case <-c.quit:
		}
		panic(http.ErrAbortHandler) // close the connection without an answer
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxRecordBody))
	if err != nil {
		http.Error(w, "reading records: "+err.Error(), http.StatusBadRequest)
		return
	}
	recs, err := decodeRecords(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.q.Push(recs...)
	w.WriteHeader(http.StatusOK)
}

// decodeRecords reads a JSON object (one record) or an array of objects,
// keeping numbers exact.
func decodeRecords(body []byte) ([]target.Record, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("records %q: %w", preview(body), err)
	}
	if dec.More() {
		return nil, fmt.Errorf("records %q: data after the JSON value", preview(body))
	}
	switch v := v.(type) {
	case map[string]any:
		return []target.Record{v}, nil
	case []any:
		recs := make([]target.Record, 0, len(v))
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("records %q: an array element is not an object", preview(body))
			}
			recs = append(recs, m)
		}
		return recs, nil
	default:
		return nil, fmt.Errorf("records %q: want a JSON object or an array of objects", preview(body))
	}
}

func preview(b []byte) string {
	const n = 64
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// close stops the server and every route's delivery.
func (c *collector) close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	routes := c.routes
	c.routes = map[string]*route{}
	c.mu.Unlock()
	for _, r := range routes {
		r.q.Close()
		close(r.gone)
	}
	close(c.quit)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, c.srv.Close())
	}
	<-c.done
	if err != nil {
		return fmt.Errorf("record collector on %s: %w", c.Addr(), err)
	}
	return nil
}

// route is where the records of one rule arrive: q hands them to out in the
// order they were posted, never dropping one, until the route is removed.
type route struct {
	url  string
	out  chan target.Record
	q    *target.RecordQueue
	hang bool          // requests are never answered
	gone chan struct{} // closed when the route is removed
}

func newRoute(url string) *route {
	out := make(chan target.Record)
	return &route{url: url, out: out, q: target.NewRecordQueue(out), gone: make(chan struct{})}
}
