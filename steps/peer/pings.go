package peer

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Pings counts the pings a connection received; it is safe for concurrent
// use.
type Pings struct{ n atomic.Int64 }

// Count returns the number of pings received so far.
func (p *Pings) Count() int64 { return p.n.Load() }

// DialCountingPings is Dial for a client that answers every ping, as Dial's
// clients do, and counts them.
func DialCountingPings(ctx context.Context, url string, opts DialOptions) (*Client, *Pings, error) {
	opts.IgnorePings = false
	c, err := dialWS(ctx, url, opts)
	if err != nil {
		return nil, nil, err
	}
	p := &Pings{}
	cn := &conn{
		ws:    c,
		mask:  true,
		pongs: map[string][]chan struct{}{},
		done:  make(chan struct{}),
	}
	c.SetPingHandler(func(data string) error {
		p.n.Add(1)
		return cn.onPing(data)
	})
	c.SetPongHandler(cn.onPong)
	c.SetCloseHandler(cn.onClose)
	go cn.read()
	return &Client{conn: cn, url: url}, p, nil
}

// dialWS opens the WebSocket connection of a Client as Dial does, without
// starting its reader.
func dialWS(ctx context.Context, url string, opts DialOptions) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: time.Until(deadline(ctx))}
	if opts.TLS != nil {
		d.TLSClientConfig = opts.TLS.Clone()
	}
	ws, resp, err := d.DialContext(ctx, url, opts.Header)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
			return nil, &HandshakeError{URL: url, StatusCode: resp.StatusCode, Err: err}
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return ws, nil
}
