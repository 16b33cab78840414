package steps

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/internal/secret"
	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
)

// remoteSteps registers the steps of the remote servers that client-mode
// streams dial.
func remoteSteps(sc *godog.ScenarioContext) {
	sc.Step(`^a remote WebSocket server(?: "([^"]*)")?$`, aRemoteWebSocketServer)
	sc.Step(`^a remote WebSocket server(?: "([^"]*)")? that never answers the handshake$`, aRemoteWebSocketServerThatNeverAnswersTheHandshake)
	sc.Step(`^a remote wss server(?: "([^"]*)")? with a certificate from the suite's CA$`, aRemoteWssServerWithACertificateFromTheSuitesCA)
	sc.Step(`^a remote wss server(?: "([^"]*)")? with a certificate from an unknown CA$`, aRemoteWssServerWithACertificateFromAnUnknownCA)
	sc.Step(`^a remote wss server(?: "([^"]*)")? that requires a client certificate from the suite's CA$`, aRemoteWssServerThatRequiresAClientCertificate)
	sc.Step(`^a remote wss server(?: "([^"]*)")? with a certificate from the suite's CA that speaks only TLS (1\.0|1\.1)$`, aRemoteWssServerThatSpeaksOnlyTLS)
	sc.Step(`^the confKey "([^"]*)" sets "([^"]*)" to (\$\{[a-z0-9-]+\}) in lines of (\d+) characters(?: ending in (CRLF|LF))?$`, theConfKeySetsInLinesOf)

	sc.Step(`^the remote server(?: "([^"]*)")? receives a connection for "([^"]*)"$`, theRemoteServerReceivesAConnectionFor)
	sc.Step(`^the remote server(?: "([^"]*)")? receives no (?:further )?connection$`, theRemoteServerReceivesNoConnection)
	sc.Step(`^the handshake carries the header "([^":]+): ([^"]*)"$`, theHandshakeCarriesTheHeader)
	sc.Step(`^the handshake does not carry the header "([^":]+): ([^"]*)"$`, theHandshakeDoesNotCarryTheHeader)
	sc.Step(`^the handshake carries a client certificate$`, theHandshakeCarriesAClientCertificate)

	sc.Step(`^the remote server(?: "([^"]*)")? sends '([^']*)'$`, theRemoteServerSends)
	sc.Step(`^the remote server(?: "([^"]*)")? sends the binary message '([^']*)'$`, theRemoteServerSendsTheBinaryMessage)
	sc.Step(`^the remote server(?: "([^"]*)")? sends (\d+) numbered messages$`, theRemoteServerSendsNumberedMessages)
	sc.Step(`^the remote server(?: "([^"]*)")? sends a message of (\d+) bytes$`, theRemoteServerSendsAMessageOfBytes)
	sc.Step(`^the remote server(?: "([^"]*)")? sends a text message with invalid UTF-8$`, theRemoteServerSendsATextMessageWithInvalidUTF8)
	sc.Step(`^the remote server closes the connection with code (\d+)$`, theRemoteServerClosesTheConnectionWithCode)
	sc.Step(`^the remote server drops the connection$`, theRemoteServerDropsTheConnection)
	sc.Step(`^the remote server sees the connection closed(?: with code (\d+))?$`, theRemoteServerSeesTheConnectionClosed)
}

// startRemote starts a remote server for the scenario.
func (w *World) startRemote(name string, opts peer.ServerOptions) error {
	if name == "" {
		name = defaultRemote
	}
	if _, ok := w.remotes[name]; ok {
		return fmt.Errorf("the scenario already started a remote server %q", name)
	}
	srv, err := peer.NewServer(opts)
	if err != nil {
		return fmt.Errorf("start remote server %q: %w", name, err)
	}
	w.remotes[name] = &remote{srv: srv}
	return nil
}

func aRemoteWebSocketServer(ctx context.Context, name string) error {
	return worldFrom(ctx).startRemote(name, peer.ServerOptions{})
}

func aRemoteWebSocketServerThatNeverAnswersTheHandshake(ctx context.Context, name string) error {
	return worldFrom(ctx).startRemote(name, peer.ServerOptions{Hang: true})
}

// startTLSRemote starts a wss remote server with the TLS configuration pick
// picks from the scenario's certificates.
func (w *World) startTLSRemote(name string, pick func(c *peer.Certs) *tls.Config) error {
	c, err := w.ensureCerts()
	if err != nil {
		return err
	}
	return w.startRemote(name, peer.ServerOptions{TLS: pick(c)})
}

func aRemoteWssServerWithACertificateFromTheSuitesCA(ctx context.Context, name string) error {
	return worldFrom(ctx).startTLSRemote(name, func(c *peer.Certs) *tls.Config { return c.ServerTLS(false) })
}

func aRemoteWssServerWithACertificateFromAnUnknownCA(ctx context.Context, name string) error {
	return worldFrom(ctx).startTLSRemote(name, (*peer.Certs).UntrustedServerTLS)
}

func aRemoteWssServerThatRequiresAClientCertificate(ctx context.Context, name string) error {
	return worldFrom(ctx).startTLSRemote(name, func(c *peer.Certs) *tls.Config { return c.ServerTLS(true) })
}

// oldTLSVersions are the protocol versions below TLS 1.2 a remote server may
// be limited to.
var oldTLSVersions = map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11}

func aRemoteWssServerThatSpeaksOnlyTLS(ctx context.Context, name, version string) error {
	return worldFrom(ctx).startTLSRemote(name, func(c *peer.Certs) *tls.Config { return c.OldServerTLS(oldTLSVersions[version]) })
}

// wrapLines breaks s into lines of n characters, each ended by eol (the last
// one too, as a PEM-style base64 block ends).
func wrapLines(s string, n int, eol string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteString(eol)
		s = s[n:]
	}
	b.WriteString(s)
	b.WriteString(eol)
	return b.String()
}

func theConfKeySetsInLinesOf(ctx context.Context, key, prop, placeholder string, n int, ending string) error {
	if n < 1 {
		return fmt.Errorf("lines of %d characters: want at least 1", n)
	}
	w := worldFrom(ctx)
	v, err := w.expand(placeholder)
	if err != nil {
		return err
	}
	eol := "\n"
	if ending == "CRLF" {
		eol = "\r\n"
	}
	w.setConfKey(key, map[string]any{prop: wrapLines(v, n, eol)})
	return nil
}

// accept waits for the next connection the engine opens to a remote server.
func (w *World) accept(ctx context.Context, name string) (*remote, *peer.ServerConn, error) {
	r, err := w.remote(name)
	if err != nil {
		return nil, nil, err
	}
	actx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	c, err := r.srv.Accept(actx)
	if err != nil {
		return nil, nil, fmt.Errorf("wait for the engine to connect to the remote server at %s: %w", r.srv.Addr(), err)
	}
	r.conns = append(r.conns, c)
	return r, c, nil
}

// conn returns the remote server's latest connection, waiting for the first
// one when there is none yet.
func (w *World) conn(ctx context.Context, name string) (*peer.ServerConn, error) {
	r, err := w.remote(name)
	if err != nil {
		return nil, err
	}
	if c := r.current(); c != nil {
		return c, nil
	}
	_, c, err := w.accept(ctx, name)
	return c, err
}

func theRemoteServerReceivesAConnectionFor(ctx context.Context, name, datasource string) error {
	w := worldFrom(ctx)
	_, c, err := w.accept(ctx, name)
	if err != nil {
		return err
	}
	want, err := url.Parse(datasource)
	if err != nil {
		return fmt.Errorf("parse the expected datasource %q: %w", datasource, err)
	}
	hs := c.Handshake()
	got := w.unpath(hs.Path)
	if got != want.Path || hs.RawQuery != want.RawQuery {
		gotURL := got
		if hs.RawQuery != "" {
			gotURL += "?" + hs.RawQuery
		}
		return fmt.Errorf("the engine requested %q; want %q", gotURL, datasource)
	}
	return nil
}

func theRemoteServerReceivesNoConnection(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	r, err := w.remote(name)
	if err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, target.QuietWindow)
	defer cancel()
	c, err := r.srv.Accept(actx)
	if err == nil {
		r.conns = append(r.conns, c)
		return fmt.Errorf("the engine opened another connection to the remote server at %s (path %q)", r.srv.Addr(), w.unpath(c.Handshake().Path))
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("watch the remote server at %s: %w", r.srv.Addr(), err)
	}
	return nil
}

// handshakeHeader returns the values of a header of the handshake on the
// default remote server's latest connection, and whether value is one of
// them (also as an item of a comma-separated list).
func (w *World) handshakeHeader(ctx context.Context, name, value string) ([]string, bool, error) {
	c, err := w.conn(ctx, "")
	if err != nil {
		return nil, false, err
	}
	got := c.Handshake().Header.Values(name)
	for _, v := range got {
		if v == value {
			return got, true, nil
		}
		for _, part := range strings.Split(v, ",") {
			if strings.TrimSpace(part) == value {
				return got, true, nil
			}
		}
	}
	return got, false, nil
}

func theHandshakeCarriesTheHeader(ctx context.Context, name, value string) error {
	got, ok, err := worldFrom(ctx).handshakeHeader(ctx, name, value)
	if err != nil || ok {
		return err
	}
	if secret.Name(name) {
		return fmt.Errorf("the handshake carried %s for %s; want the value the scenario gives (values of %s are never shown)", secret.Values(name, got), name, name)
	}
	return fmt.Errorf("the handshake carried %s: %q; want %q", name, got, value)
}

func theHandshakeDoesNotCarryTheHeader(ctx context.Context, name, value string) error {
	got, ok, err := worldFrom(ctx).handshakeHeader(ctx, name, value)
	if err != nil || !ok {
		return err
	}
	if secret.Name(name) {
		return fmt.Errorf("the handshake carried %s for %s, one of them the value the scenario forbids (values of %s are never shown)", secret.Values(name, got), name, name)
	}
	return fmt.Errorf("the handshake carried %s: %q; want no %q", name, got, value)
}

func theHandshakeCarriesAClientCertificate(ctx context.Context) error {
	w := worldFrom(ctx)
	c, err := w.conn(ctx, "")
	if err != nil {
		return err
	}
	if n := c.Handshake().PeerCertificates; n == 0 {
		return errors.New("the engine presented no client certificate")
	}
	return nil
}

// onRemote runs one operation on a remote server's current connection,
// bounded by DefaultTimeout; what names it in the error.
func (w *World) onRemote(ctx context.Context, name, what string, op func(ctx context.Context, c *peer.ServerConn) error) error {
	return w.onRemoteWithin(ctx, name, what, target.DefaultTimeout, op)
}

// onRemoteWithin is onRemote, bounding op by bound.
func (w *World) onRemoteWithin(ctx context.Context, name, what string, bound time.Duration, op func(ctx context.Context, c *peer.ServerConn) error) error {
	c, err := w.conn(ctx, name)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	if err := op(sctx, c); err != nil {
		return fmt.Errorf("remote server %s: %w", what, err)
	}
	return nil
}

func theRemoteServerSends(ctx context.Context, name, msg string) error {
	return worldFrom(ctx).onRemote(ctx, name, "sends "+strconv.Quote(msg), func(ctx context.Context, c *peer.ServerConn) error {
		return c.SendText(ctx, msg)
	})
}

func theRemoteServerSendsTheBinaryMessage(ctx context.Context, name, msg string) error {
	return worldFrom(ctx).onRemote(ctx, name, "sends binary "+strconv.Quote(msg), func(ctx context.Context, c *peer.ServerConn) error {
		return c.SendBinary(ctx, []byte(msg))
	})
}

// numbered is the n-th message of a numbered burst.
func numbered(n int) string { return `{"seq":` + strconv.Itoa(n) + `}` }

// wsPeer is the suite's end of a WebSocket connection: a client of the data
// server or a connection a remote server accepted.
type wsPeer interface {
	SendText(ctx context.Context, msg string) error
	WaitClose(ctx context.Context) (int, error)
}

// sendNumbered sends n numbered messages from c on a background sender; who
// names the sender in the error.
func (w *World) sendNumbered(who string, c wsPeer, n int) {
	w.background(func(ctx context.Context) error {
		for i := 0; i < n; i++ {
			if err := c.SendText(ctx, numbered(i)); err != nil {
				return fmt.Errorf("%s sends message %d of %d: %w", who, i, n, err)
			}
		}
		return nil
	})
}

// waitClose waits up to DefaultTimeout for the engine to close c's
// connection and returns the close code.
func waitClose(ctx context.Context, c wsPeer) (int, error) {
	wctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	return c.WaitClose(wctx)
}

func theRemoteServerSendsNumberedMessages(ctx context.Context, name string, n int) error {
	w := worldFrom(ctx)
	c, err := w.conn(ctx, name)
	if err != nil {
		return err
	}
	w.sendNumbered("remote server", c, n)
	return nil
}

func theRemoteServerSendsAMessageOfBytes(ctx context.Context, name string, n int) error {
	msg, err := sized(n)
	if err != nil {
		return err
	}
	return worldFrom(ctx).onRemoteWithin(ctx, name, fmt.Sprintf("sends a message of %d bytes", n), sendBound(n), func(ctx context.Context, c *peer.ServerConn) error {
		return c.SendText(ctx, msg)
	})
}

// invalidUTF8 is a JSON object whose string value is not valid UTF-8.
var invalidUTF8 = []byte("{\"bad\":\"\xff\xfe\xfd\"}")

func theRemoteServerSendsATextMessageWithInvalidUTF8(ctx context.Context, name string) error {
	return worldFrom(ctx).onRemote(ctx, name, "sends invalid UTF-8", func(ctx context.Context, c *peer.ServerConn) error {
		return c.SendRawText(ctx, invalidUTF8)
	})
}

func theRemoteServerClosesTheConnectionWithCode(ctx context.Context, code int) error {
	return worldFrom(ctx).onRemote(ctx, "", fmt.Sprintf("closes with %d", code), func(ctx context.Context, c *peer.ServerConn) error {
		return c.CloseWith(ctx, code, "closed by the remote server")
	})
}

func theRemoteServerDropsTheConnection(ctx context.Context) error {
	return worldFrom(ctx).onRemote(ctx, "", "drops the connection", func(_ context.Context, c *peer.ServerConn) error {
		return c.DropTCP()
	})
}

func theRemoteServerSeesTheConnectionClosed(ctx context.Context, code string) error {
	w := worldFrom(ctx)
	c, err := w.conn(ctx, "")
	if err != nil {
		return err
	}
	got, err := waitClose(ctx, c)
	if err != nil {
		return fmt.Errorf("wait for the engine to close its connection: %w", err)
	}
	if code != "" && strconv.Itoa(got) != code {
		return fmt.Errorf("the engine closed the connection with code %d; want %s", got, code)
	}
	return nil
}
