package steps

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
)

// connSteps registers the steps about connections as such: clients over the
// data server's cap, requests that are not WebSocket upgrades, the data
// server's port taken by another program, and exact counts of a source's
// exceptions and reconnections.
func connSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the next (\d+) clients connecting to "([^"]*)" are each refused with HTTP (\d+)$`, theNextClientsConnectingToAreEachRefusedWithHTTP)
	sc.Step(`^a plain HTTP (GET|HEAD|POST|PUT|OPTIONS) request for "([^"]*)" is answered with HTTP (\d+)$`, aPlainHTTPRequestForIsAnsweredWithHTTP)
	sc.Step(`^another program listens on the data server's port$`, anotherProgramListensOnTheDataServersPort)
	sc.Step(`^the other program stops listening$`, theOtherProgramStopsListening)
	sc.Step(`^the rule "([^"]*)" counts (\d+) source exceptions?$`, theRuleCountsSourceExceptions)
	sc.Step(`^the rule "([^"]*)" counts (\d+) reconnection attempts? and (\d+) reconnections?$`, theRuleCountsReconnectionAttemptsAndReconnections)
	sc.Step(`^a client "([^"]*)" that counts the pings it gets connected to "([^"]*)"$`, aClientThatCountsThePingsItGetsConnectedTo)
	sc.Step(`^client "([^"]*)" gets at least (\d+) pings and answers them$`, clientGetsAtLeastPingsAndAnswersThem)
	sc.Step(`^client "([^"]*)" gets no ping$`, clientGetsNoPing)
	sc.After(func(ctx context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
		if w, _ := ctx.Value(worldKey{}).(*World); w != nil {
			pingsMu.Lock()
			delete(pings, w)
			pingsMu.Unlock()
			return ctx, releaseListeners(w)
		}
		return ctx, nil
	})
}

// listeners are the sockets the steps opened on a scenario's behalf, by
// World, closed when the scenario ends.
var (
	listenersMu sync.Mutex
	listeners   = map[*World][]net.Listener{}
)

func releaseListeners(w *World) error {
	listenersMu.Lock()
	lns := listeners[w]
	delete(listeners, w)
	listenersMu.Unlock()
	var errs []error
	for _, ln := range lns {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("close the listener on %s: %w", ln.Addr(), err))
		}
	}
	return errors.Join(errs...)
}

func theNextClientsConnectingToAreEachRefusedWithHTTP(ctx context.Context, n int, path string, status int) error {
	w := worldFrom(ctx)
	if n < 1 {
		return fmt.Errorf("the number of clients must be at least 1, not %d", n)
	}
	for i := 1; i <= n; i++ {
		c, url, err := w.dialData(ctx, path, dialOptions{})
		if err == nil {
			_ = c.DropTCP()
			return fmt.Errorf("client %d of %d connected to %s; want HTTP %d", i, n, url, status)
		}
		var hs *peer.HandshakeError
		if !errors.As(err, &hs) {
			return fmt.Errorf("client %d of %d: dial %s: %w; want HTTP %d", i, n, url, err, status)
		}
		if hs.StatusCode != status {
			return fmt.Errorf("client %d of %d: dial %s: HTTP %d; want HTTP %d", i, n, url, hs.StatusCode, status)
		}
	}
	return nil
}

// aPlainHTTPRequestForIsAnsweredWithHTTP sends an HTTP/1.1 request that
// asks for no upgrade, in plain text whether or not the data server speaks
// TLS, and reads the status of the answer.
func aPlainHTTPRequestForIsAnsweredWithHTTP(ctx context.Context, method, path string, status int) error {
	w := worldFrom(ctx)
	if err := w.ready(ctx); err != nil {
		return err
	}
	addr := w.tgt.DataServer().Addr
	url := "http://" + addr + w.path(path)
	return eventually(ctx, fmt.Sprintf("a plain HTTP %s of %s answered with HTTP %d", method, url, status), func(ctx context.Context) error {
		got, err := plainHTTPStatus(ctx, method, addr, w.path(path))
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, url, err)
		}
		if got != status {
			return fmt.Errorf("%s %s: HTTP %d", method, url, got)
		}
		return nil
	})
}

// plainHTTPStatus sends one plain-text request on a TCP connection of its own
// and returns the status code of the answer.
func plainHTTPStatus(ctx context.Context, method, addr, path string) (int, error) {
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	c, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	deadline, _ := dctx.Deadline()
	if err := c.SetDeadline(deadline); err != nil {
		return 0, err
	}
	req, err := http.NewRequest(method, "http://"+addr+path, nil)
	if err != nil {
		return 0, err
	}
	req.Close = true
	if err := req.Write(c); err != nil {
		return 0, fmt.Errorf("send the request: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		return 0, fmt.Errorf("read the answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func anotherProgramListensOnTheDataServersPort(ctx context.Context) error {
	w := worldFrom(ctx)
	if err := w.ready(ctx); err != nil {
		return err
	}
	addr := w.tgt.DataServer().Addr
	if addr == "" {
		return errors.New("the target reports no data server address")
	}
	var ln net.Listener
	err := eventually(ctx, "listening on the data server's port "+addr, func(context.Context) error {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		ln = l
		return nil
	})
	if errors.Is(err, syscall.EADDRINUSE) {
		// An engine may keep its closed port bound so that no other socket
		// takes it (lifecycle-closed-port-kept-from-other-sockets): then
		// this scenario's premise cannot be set up, which is no failure.
		w.skip = fmt.Sprintf("the data server's port %s stays bound while no rule runs, so no other program can listen on it (%v)", addr, err)
		return fmt.Errorf("%s: %w", w.skip, godog.ErrSkip)
	}
	if err != nil {
		return err
	}
	listenersMu.Lock()
	listeners[w] = append(listeners[w], ln)
	listenersMu.Unlock()
	// The other program accepts and closes whatever connects, as a server
	// that is not a WebSocket data server would.
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	return nil
}

func theOtherProgramStopsListening(ctx context.Context) error {
	w := worldFrom(ctx)
	listenersMu.Lock()
	n := len(listeners[w])
	listenersMu.Unlock()
	if n == 0 {
		return errors.New("no other program listens on the data server's port")
	}
	return releaseListeners(w)
}

// sourceMetricSettlesAt waits until the source metric with suffix is want,
// then checks that it stays so for target.QuietWindow.
func sourceMetricSettlesAt(ctx context.Context, id, suffix string, want int) error {
	what := fmt.Sprintf("at %d", want)
	if err := sourceMetricIs(ctx, id, suffix, "counting source_*"+suffix+" "+what, want); err != nil {
		return err
	}
	w := worldFrom(ctx)
	return consistently(ctx, fmt.Sprintf("rule %q source_*%s staying %s", id, suffix, what), w.statusCheck(id, func(st target.Status) error {
		v, _ := st.Metric("source_", suffix)
		if f, ok := number(v); !ok || f != float64(want) {
			return fmt.Errorf("source_*%s went to %v: status is %s", suffix, v, describe(st))
		}
		return nil
	}))
}

func theRuleCountsSourceExceptions(ctx context.Context, id string, n int) error {
	return sourceMetricSettlesAt(ctx, id, "_exceptions_total", n)
}

func theRuleCountsReconnectionAttemptsAndReconnections(ctx context.Context, id string, attempts, reconnects int) error {
	if err := sourceMetricSettlesAt(ctx, id, "_reconnect_attempts_total", attempts); err != nil {
		return err
	}
	return sourceMetricSettlesAt(ctx, id, "_reconnects_total", reconnects)
}

// pings are the ping counters of the clients that count them, by World and
// client name.
var (
	pingsMu sync.Mutex
	pings   = map[*World]map[string]*peer.Pings{}
)

func aClientThatCountsThePingsItGetsConnectedTo(ctx context.Context, name, path string) error {
	w := worldFrom(ctx)
	if _, ok := w.clients[name]; ok {
		return fmt.Errorf("the scenario already connected a client %q", name)
	}
	return eventually(ctx, fmt.Sprintf("client %q connected to %q", name, path), func(ctx context.Context) error {
		if err := w.ready(ctx); err != nil {
			return err
		}
		ep := w.tgt.DataServer()
		url := ep.URL(w.path(path))
		var opts peer.DialOptions
		if ep.TLS {
			cfg, err := w.dataClientTLS(ep, false)
			if err != nil {
				return err
			}
			opts.TLS = cfg
		}
		dctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
		defer cancel()
		c, p, err := peer.DialCountingPings(dctx, url, opts)
		if err != nil {
			return fmt.Errorf("dial %s: %w", url, err)
		}
		w.clients[name] = c
		pingsMu.Lock()
		if pings[w] == nil {
			pings[w] = map[string]*peer.Pings{}
		}
		pings[w][name] = p
		pingsMu.Unlock()
		return nil
	})
}

func pingCounter(w *World, name string) (*peer.Client, *peer.Pings, error) {
	pingsMu.Lock()
	p := pings[w][name]
	pingsMu.Unlock()
	if p == nil {
		return nil, nil, fmt.Errorf("the scenario connected no client %q that counts pings", name)
	}
	c, err := w.client(name)
	return c, p, err
}

func clientGetsAtLeastPingsAndAnswersThem(ctx context.Context, name string, n int) error {
	w := worldFrom(ctx)
	c, p, err := pingCounter(w, name)
	if err != nil {
		return err
	}
	return eventually(ctx, fmt.Sprintf("client %q getting %d pings", name, n), func(context.Context) error {
		select {
		case <-c.Done():
			return fmt.Errorf("the connection ended after %d pings", p.Count())
		default:
		}
		if got := p.Count(); got < int64(n) {
			return fmt.Errorf("%d pings so far", got)
		}
		return nil
	})
}

func clientGetsNoPing(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	_, p, err := pingCounter(w, name)
	if err != nil {
		return err
	}
	return consistently(ctx, fmt.Sprintf("client %q getting no ping", name), func(context.Context) error {
		if got := p.Count(); got != 0 {
			return fmt.Errorf("the data server sent %d pings", got)
		}
		return nil
	})
}
