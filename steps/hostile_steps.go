package steps

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
)

// hostileSteps registers the steps of hostile and flaky peers: the data
// server's limits, endless messages and handshakes, the data server's port
// while closed, and remote servers that go away.
func hostileSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the data server accepts at most (\d+) connections?$`, theDataServerAcceptsAtMostConnections)
	sc.Step(`^the data server's idle timeout is (\d+) milliseconds$`, theDataServersIdleTimeoutIs)
	sc.Step(`^a client "([^"]*)" that answers no pings connected to "([^"]*)"$`, aClientThatAnswersNoPingsConnectedTo)
	sc.Step(`^client "([^"]*)" stays connected$`, clientStaysConnected)
	sc.Step(`^a server-mode stream "([^"]*)" on "([^"]*)" through the confKey "([^"]*)"$`, aServerModeStreamOnThroughTheConfKey)
	sc.Step(`^client "([^"]*)" sends a text frame and then empty continuation frames without end$`, clientSendsEndlessFragments)
	sc.Step(`^the remote server(?: "([^"]*)")? sends a text frame and then empty continuation frames without end$`, theRemoteServerSendsEndlessFragments)
	sc.Step(`^a remote WebSocket server(?: "([^"]*)")? that sends endless handshake headers$`, aRemoteWebSocketServerThatSendsEndlessHandshakeHeaders)

	sc.Step(`^no other socket can bind the data server's port$`, noOtherSocketCanBindTheDataServersPort)
	sc.Step(`^(\d+) outgoing connections churn through the ephemeral ports$`, outgoingConnectionsChurn)

	sc.Step(`^the remote server(?: "([^"]*)")? goes away$`, theRemoteServerGoesAway)
	sc.Step(`^the remote server(?: "([^"]*)")? comes back$`, theRemoteServerComesBack)
	sc.Step(`^the remote server(?: "([^"]*)")? refuses the next (\d+) handshakes? with HTTP (\d+)$`, theRemoteServerRefusesTheNextHandshakes)
	sc.Step(`^the rule "([^"]*)" counts at least (\d+) reconnection attempts?$`, theRuleCountsAtLeastReconnectionAttempts)
	sc.Step(`^the rule "([^"]*)" counts at least (\d+) reconnections?$`, theRuleCountsAtLeastReconnections)
}

func theDataServerAcceptsAtMostConnections(ctx context.Context, n int) error {
	if n < 1 {
		return fmt.Errorf("a connection cap of %d: want at least 1", n)
	}
	w := worldFrom(ctx)
	w.env.MaxConnections = n
	w.changed()
	return nil
}

func theDataServersIdleTimeoutIs(ctx context.Context, ms int) error {
	if ms < 1 {
		return fmt.Errorf("an idle timeout of %d ms: want at least 1", ms)
	}
	w := worldFrom(ctx)
	w.env.IdleTimeout = time.Duration(ms) * time.Millisecond
	w.changed()
	return nil
}

func aClientThatAnswersNoPingsConnectedTo(ctx context.Context, name, path string) error {
	return worldFrom(ctx).connect(ctx, name, path, dialOptions{noPongs: true})
}

func clientStaysConnected(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	c, err := w.client(name)
	if err != nil {
		return err
	}
	return consistently(ctx, fmt.Sprintf("client %q stays connected", name), func(context.Context) error {
		select {
		case <-c.Done():
			code, _ := c.WaitClose(ctx)
			return fmt.Errorf("the engine closed client %q (code %d)", name, code)
		default:
			return nil
		}
	})
}

func aServerModeStreamOnThroughTheConfKey(ctx context.Context, name, path, key string) error {
	return worldFrom(ctx).createStream(ctx, fmt.Sprintf(
		`CREATE STREAM %s () WITH (DATASOURCE=%q, FORMAT="json", TYPE="websocket", CONF_KEY=%q)`, name, path, key))
}

// endlessSender is the suite's end of a connection that can keep one message
// open for ever.
type endlessSender interface {
	SendEndlessFragments(ctx context.Context) (int, error)
}

// sendEndless sends endless fragments from c on a background sender, until
// the engine closes the connection or the scenario ends.
func (w *World) sendEndless(who string, c endlessSender) {
	w.background(func(ctx context.Context) error {
		n, err := c.SendEndlessFragments(ctx)
		if err != nil {
			return fmt.Errorf("%s sends empty continuation frames (%d sent): %w", who, n, err)
		}
		return nil
	})
}

func clientSendsEndlessFragments(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	c, err := w.client(name)
	if err != nil {
		return err
	}
	w.sendEndless(fmt.Sprintf("client %q", name), c)
	return nil
}

func theRemoteServerSendsEndlessFragments(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	c, err := w.conn(ctx, name)
	if err != nil {
		return err
	}
	w.sendEndless("remote server", c)
	return nil
}

func aRemoteWebSocketServerThatSendsEndlessHandshakeHeaders(ctx context.Context, name string) error {
	return worldFrom(ctx).startRemote(name, peer.ServerOptions{EndlessHeaders: true})
}

func noOtherSocketCanBindTheDataServersPort(ctx context.Context) error {
	w := worldFrom(ctx)
	if err := w.ready(ctx); err != nil {
		return err
	}
	addr := w.tgt.DataServer().Addr
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("the data server address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("the data server address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("the data server address %q is not a loopback address this machine can bind", addr)
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		_ = ln.Close()
		return fmt.Errorf("a listener of the suite bound %s while the data server was closed: the next server-mode rule could find its port taken", addr)
	} else if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("bind %s: %w; want it refused as in use", addr, err)
	}
	other, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("listen for an outgoing connection: %w", err)
	}
	defer other.Close()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip, Port: port}, Timeout: target.DefaultTimeout}
	c, err := d.DialContext(ctx, "tcp", other.Addr().String())
	if err == nil {
		_ = c.Close()
		return fmt.Errorf("an outgoing connection of the suite took %s as its source port while the data server was closed", addr)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("connect from %s: %w; want the port refused as in use", addr, err)
	}
	return nil
}

func outgoingConnectionsChurn(ctx context.Context, n int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the outgoing connections: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	defer func() {
		_ = ln.Close()
		<-done
	}()
	d := net.Dialer{Timeout: target.DefaultTimeout}
	for i := range n {
		c, err := d.DialContext(ctx, "tcp", ln.Addr().String())
		if err != nil {
			return fmt.Errorf("outgoing connection %d of %d: %w", i+1, n, err)
		}
		_ = c.Close()
	}
	return nil
}

// onRemoteServer runs op on a remote server the scenario started.
func (w *World) onRemoteServer(name, what string, op func(s *peer.Server) error) error {
	r, err := w.remote(name)
	if err != nil {
		return err
	}
	if err := op(r.srv); err != nil {
		return fmt.Errorf("remote server at %s %s: %w", r.srv.Addr(), what, err)
	}
	return nil
}

func theRemoteServerGoesAway(ctx context.Context, name string) error {
	return worldFrom(ctx).onRemoteServer(name, "goes away", (*peer.Server).GoAway)
}

func theRemoteServerComesBack(ctx context.Context, name string) error {
	return worldFrom(ctx).onRemoteServer(name, "comes back", (*peer.Server).ComeBack)
}

func theRemoteServerRefusesTheNextHandshakes(ctx context.Context, name string, n, status int) error {
	return worldFrom(ctx).onRemoteServer(name, "refuses handshakes", func(s *peer.Server) error {
		s.RefuseNext(n, status)
		return nil
	})
}

// sourceMetricAtLeast waits until the rule's source_*<suffix> metric is at
// least want.
func sourceMetricAtLeast(ctx context.Context, id, suffix, what string, want int) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q %s", id, what), w.statusCheck(id, func(st target.Status) error {
		v, ok := st.Metric("source_", suffix)
		if !ok {
			return fmt.Errorf("no source_*%s metric: status is %s", suffix, describe(st))
		}
		if f, ok := number(v); !ok || f < float64(want) {
			return fmt.Errorf("source_*%s is %v, want at least %d: status is %s", suffix, v, want, describe(st))
		}
		return nil
	}))
}

func theRuleCountsAtLeastReconnectionAttempts(ctx context.Context, id string, n int) error {
	return sourceMetricAtLeast(ctx, id, "_reconnect_attempts_total", fmt.Sprintf("counting at least %d reconnection attempts", n), n)
}

func theRuleCountsAtLeastReconnections(ctx context.Context, id string, n int) error {
	return sourceMetricAtLeast(ctx, id, "_reconnects_total", fmt.Sprintf("counting at least %d reconnections", n), n)
}
