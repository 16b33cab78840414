// Package collect is the HTTP server an engine's rest sinks post a rule's
// records to: each rule has its own route, whose records are delivered on a
// channel in the order they arrived and never dropped. Both the REST target
// and the reference target read records through it.
package collect

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

// Collector is the HTTP server the engine's rest sinks post records to.
type Collector struct {
	ln   net.Listener
	srv  *http.Server
	base string // URL prefix the engine posts to
	done chan struct{}
	quit chan struct{} // closed by Close: hanging requests end

	mu     sync.Mutex
	routes map[string]*Route
	closed bool
}

// New starts a collector listening on addr (host:port; port 0 picks a free
// one). postBase is the URL prefix the engine posts to, for an engine that
// reaches the collector under another name; empty means http:// and the
// listening address.
func New(addr, postBase string) (*Collector, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("record collector on %s: %w", addr, err)
	}
	c := &Collector{
		ln:     ln,
		routes: map[string]*Route{},
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
		_ = c.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return c, nil
}

// Addr is the collector's listening address.
func (c *Collector) Addr() string { return c.ln.Addr().String() }

// RouteOptions shape one route.
type RouteOptions struct {
	// Buffer is the capacity of the route's records channel, so that a reader
	// polling without blocking finds a burst of records ready; records beyond
	// it wait in the route's queue. 0 is unbuffered.
	Buffer int
	// Hang makes the route read every request and never answer it: a request
	// ends when the engine gives up, or without an answer when the route is
	// removed or the collector closes.
	Hang bool
	// Header lists request headers every post must carry with exactly these
	// values; a post without them is answered 400 and its records are not
	// delivered.
	Header map[string]string
	// Single refuses (400) a post whose body is an array: each post must be
	// one record, a JSON object, as a rest sink with sendSingle sends it.
	Single bool
}

// Add registers a route at path (starting with "/") that delivers what is
// posted there.
func (c *Collector) Add(path string) (*Route, error) {
	return c.AddRoute(path, RouteOptions{})
}

// AddHanging registers a route at path that never answers (RouteOptions.Hang).
func (c *Collector) AddHanging(path string) (*Route, error) {
	return c.AddRoute(path, RouteOptions{Hang: true})
}

// AddRoute registers a route at path with opts and starts its delivery.
func (c *Collector) AddRoute(path string, opts RouteOptions) (*Route, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("record collector is closed")
	}
	if _, dup := c.routes[path]; dup {
		return nil, fmt.Errorf("record collector: path %s is in use", path)
	}
	out := make(chan target.Record, max(opts.Buffer, 0))
	r := &Route{
		URL:    c.base + path,
		q:      target.NewRecordQueue(out),
		hang:   opts.Hang,
		header: opts.Header,
		single: opts.Single,
		gone:   make(chan struct{}),
	}
	c.routes[path] = r
	return r, nil
}

// Remove unregisters the route at path and stops its delivery.
func (c *Collector) Remove(path string) {
	c.mu.Lock()
	r := c.routes[path]
	delete(c.routes, path)
	c.mu.Unlock()
	if r != nil {
		r.q.Close()
		close(r.gone)
	}
}

// ServeHTTP takes the posts of the engine's rest sinks.
func (c *Collector) ServeHTTP(w http.ResponseWriter, req *http.Request) {
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
	for name, want := range r.header {
		if got := req.Header.Values(name); len(got) != 1 || got[0] != want {
			http.Error(w, fmt.Sprintf("header %s: want %q, got %q", name, want, got), http.StatusBadRequest)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxRecordBody))
	if err != nil {
		http.Error(w, "reading records: "+err.Error(), http.StatusBadRequest)
		return
	}
	recs, err := Decode(body)
	if err == nil && r.single && bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("[")) {
		err = fmt.Errorf("records %q: want one JSON object per post, got an array", Preview(body))
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.q.Push(recs...)
	w.WriteHeader(http.StatusOK)
}

// Decode reads a JSON object (one record) or an array of objects, keeping
// numbers exact.
func Decode(body []byte) ([]target.Record, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("records %q: %w", Preview(body), err)
	}
	if dec.More() {
		return nil, fmt.Errorf("records %q: data after the JSON value", Preview(body))
	}
	switch v := v.(type) {
	case map[string]any:
		return []target.Record{v}, nil
	case []any:
		recs := make([]target.Record, 0, len(v))
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("records %q: an array element is not an object", Preview(body))
			}
			recs = append(recs, m)
		}
		return recs, nil
	default:
		return nil, fmt.Errorf("records %q: want a JSON object or an array of objects", Preview(body))
	}
}

// Preview returns the start of b, valid UTF-8, for an error message.
func Preview(b []byte) string {
	const n = 64
	s := strings.ToValidUTF8(string(b), "?")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// Close stops the server and every route's delivery. Later calls return nil.
func (c *Collector) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	routes := c.routes
	c.routes = map[string]*Route{}
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

// Route is where the records of one rule arrive: they are handed to
// Records() in the order they were posted, never dropping one, until the
// route is removed.
type Route struct {
	// URL is where the engine posts the rule's records.
	URL    string
	q      *target.RecordQueue
	hang   bool              // requests are never answered
	header map[string]string // headers every post must carry
	single bool              // each post is one object
	gone   chan struct{}     // closed when the route is removed
}

// Records delivers the route's records in order. It is never closed.
func (r *Route) Records() <-chan target.Record { return r.q.C() }
