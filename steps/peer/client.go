package peer

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// DialOptions configure Dial. The zero value dials plain ws with no extra
// headers.
type DialOptions struct {
	// TLS is used for wss URLs; nil means the system roots.
	TLS *tls.Config
	// Header is sent with the handshake request.
	Header http.Header
	// IgnorePings makes the client answer no ping, as a peer that is gone
	// without closing (half-open) does.
	IgnorePings bool
}

// HandshakeError is returned by Dial when the server answered the upgrade
// request with something other than 101 Switching Protocols.
type HandshakeError struct {
	// URL is the URL dialed.
	URL string
	// StatusCode is the HTTP status of the answer, e.g. 404.
	StatusCode int
	// Err is the underlying error.
	Err error
}

// Error names the URL and the HTTP status.
func (e *HandshakeError) Error() string {
	return fmt.Sprintf("websocket handshake with %s: HTTP %d: %v", e.URL, e.StatusCode, e.Err)
}

// Unwrap returns the underlying error.
func (e *HandshakeError) Unwrap() error { return e.Err }

// Client is a WebSocket client connection.
type Client struct {
	*conn
	url string
}

// Dial opens a ws or wss connection to url. The handshake is bounded by ctx,
// or by DefaultTimeout when ctx has no deadline. When the server answers with
// an HTTP status other than 101 the error is a *HandshakeError.
func Dial(ctx context.Context, url string, opts DialOptions) (*Client, error) {
	d := websocket.Dialer{
		TLSClientConfig:  opts.TLS,
		HandshakeTimeout: time.Until(deadline(ctx)),
	}
	if opts.TLS != nil {
		d.TLSClientConfig = opts.TLS.Clone()
	}
	ws, resp, err := d.DialContext(ctx, url, opts.Header)
	if err != nil {
		if resp != nil {
			body := ""
			if resp.Body != nil {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
				_ = resp.Body.Close()
				body = string(b)
			}
			if body != "" {
				err = fmt.Errorf("%w: %q", err, body)
			}
			return nil, &HandshakeError{URL: url, StatusCode: resp.StatusCode, Err: err}
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return &Client{conn: newConnPings(ws, true, !opts.IgnorePings), url: url}, nil
}

// SendText sends one text message.
func (c *Client) SendText(ctx context.Context, msg string) error {
	if err := c.writeMessage(ctx, websocket.TextMessage, []byte(msg)); err != nil {
		return fmt.Errorf("send text message of %d bytes to %s: %w", len(msg), c.url, err)
	}
	return nil
}

// SendBinary sends one binary message.
func (c *Client) SendBinary(ctx context.Context, b []byte) error {
	if err := c.writeMessage(ctx, websocket.BinaryMessage, b); err != nil {
		return fmt.Errorf("send binary message of %d bytes to %s: %w", len(b), c.url, err)
	}
	return nil
}

// SendFragmented sends one text message as len(parts) frames: a text frame
// and continuation frames, the last one final.
func (c *Client) SendFragmented(ctx context.Context, parts ...string) error {
	return c.sendFragmented(ctx, parts)
}

// SendRawText sends one text frame holding payload as is, valid UTF-8 or not.
func (c *Client) SendRawText(ctx context.Context, payload []byte) error {
	return c.sendRawText(ctx, payload)
}

// SendEndlessFragments sends the first frame of a text message and then
// empty continuation frames until the connection ends or ctx is done, and
// returns how many continuation frames it sent.
func (c *Client) SendEndlessFragments(ctx context.Context) (int, error) {
	return c.sendEndlessFragments(ctx)
}

// Ping sends a ping with data and waits for the pong carrying the same data.
func (c *Client) Ping(ctx context.Context, data string) error { return c.ping(ctx, data) }

// WaitClose waits until the connection ends and returns the close code the
// server sent, or 1006 when it ended without a close frame.
func (c *Client) WaitClose(ctx context.Context) (code int, err error) { return c.waitClose(ctx) }

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Close performs a normal close (1000): it sends the close frame, waits
// briefly for the server's answer, closes TCP and waits for the reader. It is
// idempotent.
func (c *Client) Close() error {
	return c.closeWith(context.Background(), websocket.CloseNormalClosure, "")
}

// CloseWith is Close with another code and reason.
func (c *Client) CloseWith(ctx context.Context, code int, reason string) error {
	return c.closeWith(ctx, code, reason)
}

// DropTCP closes the TCP connection without a close frame (and, for wss,
// without a TLS close alert), and waits for the reader.
func (c *Client) DropTCP() error {
	c.dropTCP()
	return nil
}
