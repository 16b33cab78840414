package steps

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/internal/waits"
	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
)

// clientSteps registers the steps of the clients that connect to server-mode
// streams, and of the data server's port.
func clientSteps(sc *godog.ScenarioContext) {
	sc.Step(`^a client "([^"]*)" connected to "([^"]*)"$`, aClientConnectedTo)
	sc.Step(`^a client "([^"]*)" connected to "([^"]*)" with the header "([^":]+): ([^"]*)"$`, aClientConnectedToWithTheHeader)
	sc.Step(`^a client "([^"]*)" with a client certificate connected to "([^"]*)"$`, aClientWithAClientCertificateConnectedTo)
	sc.Step(`^a client without a client certificate cannot connect to "([^"]*)"$`, aClientWithoutAClientCertificateCannotConnectTo)
	sc.Step(`^a plain ws client cannot connect to "([^"]*)"$`, aPlainWsClientCannotConnectTo)
	sc.Step(`^connecting to "([^"]*)" is refused with HTTP (\d+)$`, connectingToIsRefusedWithHTTP)
	sc.Step(`^a silent TCP connection to the data server$`, aSilentTCPConnectionToTheDataServer)
	sc.Step(`^a connection that sends half a handshake for "([^"]*)"$`, aConnectionThatSendsHalfAHandshakeFor)
	sc.Step(`^the data server closes that connection within (\d+) seconds$`, theDataServerClosesThatConnectionWithin)

	sc.Step(`^client "([^"]*)" sends '([^']*)'$`, clientSends)
	sc.Step(`^client "([^"]*)" sends '([^']*)' in (\d+) fragments$`, clientSendsInFragments)
	sc.Step(`^client "([^"]*)" sends the binary message '([^']*)'$`, clientSendsTheBinaryMessage)
	sc.Step(`^client "([^"]*)" sends (\d+) numbered messages$`, clientSendsNumberedMessages)
	sc.Step(`^client "([^"]*)" sends a text message with invalid UTF-8$`, clientSendsATextMessageWithInvalidUTF8)
	sc.Step(`^client "([^"]*)" sends a message of (\d+) bytes$`, clientSendsAMessageOfBytes)
	sc.Step(`^client "([^"]*)" is closed with code (\d+)$`, clientIsClosedWithCode)
	sc.Step(`^client "([^"]*)" drops the connection without a close frame$`, clientDropsTheConnectionWithoutACloseFrame)
	sc.Step(`^client "([^"]*)" closes the connection normally$`, clientClosesTheConnectionNormally)
	sc.Step(`^client "([^"]*)" gets a pong for the ping "([^"]*)"$`, clientGetsAPongForThePing)

	sc.Step(`^the data server port is (open|closed)$`, theDataServerPortIs)
	sc.Step(`^the data server port stays (open|closed)$`, theDataServerPortStays)
}

// dataClientTLS is the TLS configuration a client uses to reach a wss data
// server: it trusts the endpoint's CA file, or the suite's CA.
func (w *World) dataClientTLS(ep target.Endpoint, withCert bool) (*tls.Config, error) {
	c, err := w.ensureCerts()
	if err != nil {
		return nil, err
	}
	if ep.CAFile == "" || ep.CAFile == c.CAFile {
		return c.ClientTLS(withCert), nil
	}
	pem, err := os.ReadFile(ep.CAFile)
	if err != nil {
		return nil, fmt.Errorf("read the data server's CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("data server CA file %s holds no PEM certificate", ep.CAFile)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if withCert {
		cert, err := tls.LoadX509KeyPair(c.ClientCertFile, c.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("load the suite's client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// dialOptions say how a client reaches a path on the data server.
type dialOptions struct {
	header   http.Header
	withCert bool
	plain    bool   // dial ws:// even when the data server speaks wss
	noPongs  bool   // answer no ping (a half-open peer)
	via      string // host:port to dial instead of the data server's (a fault proxy)
}

// dialData dials a path on the target's data server once.
func (w *World) dialData(ctx context.Context, path string, o dialOptions) (*peer.Client, string, error) {
	if err := w.ready(ctx); err != nil {
		return nil, "", err
	}
	ep := w.tgt.DataServer()
	if o.via != "" {
		ep.Addr = o.via
	}
	url := ep.URL(w.path(path))
	opts := peer.DialOptions{Header: o.header, IgnorePings: o.noPongs}
	if ep.TLS && !o.plain {
		cfg, err := w.dataClientTLS(ep, o.withCert)
		if err != nil {
			return nil, url, err
		}
		opts.TLS = cfg
	}
	if o.plain {
		url = "ws://" + ep.Addr + w.path(path)
	}
	dctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	c, err := peer.Dial(dctx, url, opts)
	return c, url, err
}

// connect connects a named client, retrying until the endpoint exists.
func (w *World) connect(ctx context.Context, name, path string, o dialOptions) error {
	if _, ok := w.clients[name]; ok {
		return fmt.Errorf("the scenario already connected a client %q", name)
	}
	return eventually(ctx, fmt.Sprintf("client %q connected to %q", name, path), func(ctx context.Context) error {
		c, url, err := w.dialData(ctx, path, o)
		if err != nil {
			return fmt.Errorf("dial %s: %w", url, err)
		}
		w.clients[name] = c
		return nil
	})
}

func aClientConnectedTo(ctx context.Context, name, path string) error {
	return worldFrom(ctx).connect(ctx, name, path, dialOptions{})
}

func aClientConnectedToWithTheHeader(ctx context.Context, name, path, header, value string) error {
	h := http.Header{}
	h.Set(header, value)
	return worldFrom(ctx).connect(ctx, name, path, dialOptions{header: h})
}

func aClientWithAClientCertificateConnectedTo(ctx context.Context, name, path string) error {
	return worldFrom(ctx).connect(ctx, name, path, dialOptions{withCert: true})
}

// cannotConnect checks that one attempt to connect fails.
func (w *World) cannotConnect(ctx context.Context, path string, o dialOptions) error {
	c, url, err := w.dialData(ctx, path, o)
	if err == nil {
		_ = c.DropTCP()
		return fmt.Errorf("a client connected to %s; want the connection refused", url)
	}
	return nil
}

func aClientWithoutAClientCertificateCannotConnectTo(ctx context.Context, path string) error {
	return worldFrom(ctx).cannotConnect(ctx, path, dialOptions{})
}

func aPlainWsClientCannotConnectTo(ctx context.Context, path string) error {
	return worldFrom(ctx).cannotConnect(ctx, path, dialOptions{plain: true})
}

func connectingToIsRefusedWithHTTP(ctx context.Context, path string, status int) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("connecting to %q refused with HTTP %d", path, status), func(ctx context.Context) error {
		c, url, err := w.dialData(ctx, path, dialOptions{})
		if err == nil {
			_ = c.DropTCP()
			return fmt.Errorf("a client connected to %s", url)
		}
		var hs *peer.HandshakeError
		if !errors.As(err, &hs) {
			return fmt.Errorf("dial %s: %w", url, err)
		}
		if hs.StatusCode != status {
			return fmt.Errorf("dial %s: HTTP %d", url, hs.StatusCode)
		}
		return nil
	})
}

func aSilentTCPConnectionToTheDataServer(ctx context.Context) error {
	w := worldFrom(ctx)
	if err := w.ready(ctx); err != nil {
		return err
	}
	addr := w.tgt.DataServer().Addr
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	c, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("open a TCP connection to the data server at %s: %w", addr, err)
	}
	w.silent = append(w.silent, c)
	return nil
}

// halfHandshake is the start of an upgrade request for path: the request
// line and some headers, without the blank line that ends them.
func halfHandshake(host, path string) string {
	return "GET " + path + " HTTP/1.1\r\n" +
		"Host: " + host + "\r\n" +
		"Upgrade: websocket\r\n" +
		"Connection: Upgrade\r\n"
}

func aConnectionThatSendsHalfAHandshakeFor(ctx context.Context, path string) error {
	w := worldFrom(ctx)
	if err := w.ready(ctx); err != nil {
		return err
	}
	ep := w.tgt.DataServer()
	dctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(dctx, "tcp", ep.Addr)
	if err != nil {
		return fmt.Errorf("open a TCP connection to the data server at %s: %w", ep.Addr, err)
	}
	w.silent = append(w.silent, c)
	if ep.TLS {
		// The TLS handshake completes: only the HTTP request is left unfinished.
		cfg, err := w.dataClientTLS(ep, false)
		if err != nil {
			return err
		}
		if cfg.ServerName == "" {
			// A WebSocket dialer names the server from its URL; tls.Client
			// needs to be told.
			cfg = cfg.Clone()
			cfg.ServerName, _, _ = net.SplitHostPort(ep.Addr)
		}
		tc := tls.Client(c, cfg)
		w.silent[len(w.silent)-1] = tc
		if err := tc.HandshakeContext(dctx); err != nil {
			return fmt.Errorf("TLS handshake with the data server at %s: %w", ep.Addr, err)
		}
		c = tc
	}
	_ = c.SetWriteDeadline(time.Now().Add(target.DefaultTimeout))
	if _, err := io.WriteString(c, halfHandshake(ep.Addr, w.path(path))); err != nil {
		return fmt.Errorf("send half a handshake to the data server at %s: %w", ep.Addr, err)
	}
	return nil
}

func theDataServerClosesThatConnectionWithin(ctx context.Context, seconds int) error {
	w := worldFrom(ctx)
	if len(w.silent) == 0 {
		return errors.New("the scenario opened no connection to the data server")
	}
	c := w.silent[len(w.silent)-1]
	bound := time.Duration(seconds) * time.Second
	start := time.Now()
	if err := c.SetReadDeadline(start.Add(bound)); err != nil {
		return fmt.Errorf("bound the read: %w", err)
	}
	// Whatever the server writes before it closes (an HTTP error) is read and
	// discarded; the read ends with EOF or a reset when it closes.
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("the data server kept a connection with an unfinished handshake open for %v", bound)
	}
	return nil
}

// onClient runs one operation of a client, bounded by DefaultTimeout; what
// names it in the error ("sends ...", "closes its connection").
func (w *World) onClient(ctx context.Context, name, what string, op func(ctx context.Context, c *peer.Client) error) error {
	return w.onClientWithin(ctx, name, what, target.DefaultTimeout, op)
}

// onClientWithin is onClient, bounding op by bound.
func (w *World) onClientWithin(ctx context.Context, name, what string, bound time.Duration, op func(ctx context.Context, c *peer.Client) error) error {
	c, err := w.client(name)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	if err := op(sctx, c); err != nil {
		return fmt.Errorf("client %q %s: %w", name, what, err)
	}
	return nil
}

func clientSends(ctx context.Context, name, msg string) error {
	return worldFrom(ctx).onClient(ctx, name, "sends "+strconv.Quote(msg), func(ctx context.Context, c *peer.Client) error {
		return c.SendText(ctx, msg)
	})
}

func clientSendsInFragments(ctx context.Context, name, msg string, n int) error {
	if n < 1 || n > len(msg) {
		return fmt.Errorf("cannot split %q into %d fragments", msg, n)
	}
	parts := make([]string, 0, n)
	size := len(msg) / n
	for i := 0; i < n-1; i++ {
		parts = append(parts, msg[i*size:(i+1)*size])
	}
	parts = append(parts, msg[(n-1)*size:])
	return worldFrom(ctx).onClient(ctx, name, "sends "+strconv.Quote(msg)+" in fragments", func(ctx context.Context, c *peer.Client) error {
		return c.SendFragmented(ctx, parts...)
	})
}

func clientSendsTheBinaryMessage(ctx context.Context, name, msg string) error {
	return worldFrom(ctx).onClient(ctx, name, "sends binary "+strconv.Quote(msg), func(ctx context.Context, c *peer.Client) error {
		return c.SendBinary(ctx, []byte(msg))
	})
}

func clientSendsNumberedMessages(ctx context.Context, name string, n int) error {
	w := worldFrom(ctx)
	c, err := w.client(name)
	if err != nil {
		return err
	}
	w.sendNumbered(fmt.Sprintf("client %q", name), c, n)
	return nil
}

func clientSendsATextMessageWithInvalidUTF8(ctx context.Context, name string) error {
	return worldFrom(ctx).onClient(ctx, name, "sends invalid UTF-8", func(ctx context.Context, c *peer.Client) error {
		return c.SendRawText(ctx, invalidUTF8)
	})
}

// sized returns a JSON object of exactly n bytes (n >= 10).
func sized(n int) (string, error) {
	const frame = len(`{"pad":""}`)
	if n < frame {
		return "", fmt.Errorf("a JSON message needs at least %d bytes, not %d", frame, n)
	}
	return `{"pad":"` + strings.Repeat("x", n-frame) + `"}`, nil
}

// sendBound bounds the send of a message of n bytes: a message of a
// megabyte or more may take seconds to write under the race detector on a
// loaded machine, while the engine reads it.
func sendBound(n int) time.Duration {
	if n >= 1<<20 {
		return waits.Heavy
	}
	return target.DefaultTimeout
}

func clientSendsAMessageOfBytes(ctx context.Context, name string, n int) error {
	msg, err := sized(n)
	if err != nil {
		return err
	}
	return worldFrom(ctx).onClientWithin(ctx, name, fmt.Sprintf("sends a message of %d bytes", n), sendBound(n), func(ctx context.Context, c *peer.Client) error {
		return c.SendText(ctx, msg)
	})
}

func clientIsClosedWithCode(ctx context.Context, name string, code int) error {
	w := worldFrom(ctx)
	c, err := w.client(name)
	if err != nil {
		return err
	}
	got, err := waitClose(ctx, c)
	if err != nil {
		return fmt.Errorf("wait for the engine to close client %q: %w", name, err)
	}
	if got != code {
		return fmt.Errorf("the engine closed client %q with code %d; want %d", name, got, code)
	}
	return nil
}

func clientDropsTheConnectionWithoutACloseFrame(ctx context.Context, name string) error {
	return worldFrom(ctx).onClient(ctx, name, "drops its connection", func(_ context.Context, c *peer.Client) error {
		return c.DropTCP()
	})
}

func clientClosesTheConnectionNormally(ctx context.Context, name string) error {
	return worldFrom(ctx).onClient(ctx, name, "closes its connection", func(_ context.Context, c *peer.Client) error {
		return c.Close()
	})
}

func clientGetsAPongForThePing(ctx context.Context, name, data string) error {
	return worldFrom(ctx).onClient(ctx, name, "sends a ping", func(ctx context.Context, c *peer.Client) error {
		return c.Ping(ctx, data)
	})
}

// portOpen tells whether the data server's port accepts TCP connections.
func (w *World) portOpen(ctx context.Context) (bool, string, error) {
	if err := w.ready(ctx); err != nil {
		return false, "", err
	}
	addr := w.tgt.DataServer().Addr
	if addr == "" {
		return false, "", errors.New("the target reports no data server address")
	}
	return peer.PortOpen(addr), addr, nil
}

func (w *World) portCheck(want string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		open, addr, err := w.portOpen(ctx)
		if err != nil {
			return err
		}
		if open != (want == "open") {
			return fmt.Errorf("the data server port %s is not %s; %s", addr, want, w.rulesSummary(ctx))
		}
		return nil
	}
}

func theDataServerPortIs(ctx context.Context, want string) error {
	w := worldFrom(ctx)
	return eventually(ctx, "data server port "+want, w.portCheck(want))
}

func theDataServerPortStays(ctx context.Context, want string) error {
	w := worldFrom(ctx)
	check := w.portCheck(want)
	if err := check(ctx); err != nil {
		return err
	}
	return consistently(ctx, "data server port "+want, check)
}
