package rest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/collect"
)

// PreflightTimeout bounds Driver.Preflight when its context has no earlier
// deadline.
const PreflightTimeout = 5 * time.Second

// preflightPoll is how often Preflight retries a handshake the data server
// is not ready for, and reads the rule's status while it waits for a record.
const preflightPoll = 50 * time.Millisecond

// PreflightError is a check of Driver.Preflight that failed: what was
// checked, where, what went wrong and how to fix it.
type PreflightError struct {
	// Check names what was checked, e.g. "data server handshake".
	Check string
	// Where is the address or URL checked.
	Where string
	// Err is what went wrong.
	Err error
	// Fix says how to fix it.
	Fix string
}

// Error is one line: "preflight: CHECK at WHERE: ERR; FIX".
func (e *PreflightError) Error() string {
	msg := fmt.Sprintf("preflight: %s at %s: %v", e.Check, e.Where, e.Err)
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return strings.ReplaceAll(msg, "\n", " ")
}

// Unwrap returns Err.
func (e *PreflightError) Unwrap() error { return e.Err }

// Preflight checks, in a few seconds, what every scenario needs, before the
// first one runs: that the REST API answers, that the engine's websocket
// confKeys (with default) can be read, that a client completes a handshake
// with the data server at Options.DataURL with its scheme and CA (on an
// endpoint of a stream and rule Preflight makes and removes), and that a
// record sent there comes back through the rule's rest sink to the
// collector. A failure is a *PreflightError saying what, where and how to
// fix it.
func (d *Driver) Preflight(ctx context.Context) (err error) {
	ctx, cancel := context.WithTimeout(ctx, PreflightTimeout)
	defer cancel()
	rest := d.opts.rest.Redacted()
	if _, err := d.client.do(ctx, http.MethodGet, "/ping", nil); err != nil {
		return &PreflightError{Check: "REST API", Where: rest, Err: err,
			Fix: "start the engine, or pass its REST API with --rest-url (env " + EnvRestURL + ")"}
	}
	if _, _, _, err := d.client.listConfKeys(ctx); err != nil {
		return &PreflightError{Check: "default confKey", Where: rest + confKeysPath, Err: err,
			Fix: "the engine must answer GET " + confKeysPath}
	}

	suffix, err := randomSuffix()
	if err != nil {
		return err
	}
	stream, ruleID, path := "wsconform_preflight_"+suffix, "wsconform_preflight_"+suffix, "/wsconform-preflight-"+suffix
	rt, err := d.coll.Add(path)
	if err != nil {
		return err
	}
	made := []string{}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer ccancel()
		for i := len(made) - 1; i >= 0; i-- {
			if _, derr := d.client.do(cctx, http.MethodDelete, made[i], nil); derr != nil && !isNotFound(derr) && err == nil {
				err = fmt.Errorf("preflight: cleanup: delete %s: %w", made[i], derr)
			}
		}
		d.coll.Remove(path)
	}()
	sql := fmt.Sprintf(`CREATE STREAM %s () WITH (DATASOURCE=%q, FORMAT="json", TYPE="websocket")`, stream, path)
	if _, err := d.client.do(ctx, http.MethodPost, "/streams", map[string]string{"sql": sql}); err != nil {
		return &PreflightError{Check: "create a websocket stream", Where: rest + "/streams", Err: err,
			Fix: "the engine must accept websocket streams in server mode (CREATE STREAM ... TYPE=\"websocket\" with the default confKey)"}
	}
	made = append(made, "/streams/"+seg(stream))
	def := map[string]any{
		"id":      ruleID,
		"sql":     "SELECT * FROM " + stream,
		"actions": []map[string]any{{"rest": map[string]any{"url": rt.URL, "method": "post", "sendSingle": true}}},
	}
	if _, err := d.client.do(ctx, http.MethodPost, "/rules", def); err != nil {
		return &PreflightError{Check: "create a rule with a rest sink", Where: rest + "/rules", Err: err,
			Fix: "the engine must accept rules with a rest sink"}
	}
	made = append(made, "/rules/"+seg(ruleID))

	ep := target.Endpoint{Addr: d.opts.dataAddr, TLS: d.opts.dataTLS, CAFile: d.opts.caFile}
	url := ep.URL(path)
	c, err := d.handshake(ctx, url)
	if err != nil {
		perr := &PreflightError{Check: "data server handshake", Where: url, Err: err, Fix: handshakeFix(err, d.opts)}
		if st := d.ruleProblems(ruleID); st != "" {
			perr.Err = fmt.Errorf("%w (rule %s)", err, st)
		}
		return perr
	}
	defer c.Close()
	if err := c.SendText(ctx, `{"wsconform_preflight":1}`); err != nil {
		return &PreflightError{Check: "data server", Where: url, Err: fmt.Errorf("sending a message: %w", err),
			Fix: "the data server must accept text messages on a server-mode endpoint"}
	}
	if err := d.awaitRecord(ctx, ruleID, rt); err != nil {
		return &PreflightError{Check: "record collector", Where: rt.URL, Err: err,
			Fix: "the engine's rest sink must reach the collector: pass an address the engine can reach with --collector HOST:PORT " +
				"or --collector-url URL (env " + EnvCollector + ", " + EnvCollectorURL + "), and let rest sinks post to private addresses " +
				"(eKuiper: basic.enablePrivateNet: true, as wsconform config writes it)"}
	}
	return nil
}

// handshake dials url until the data server completes a handshake: a
// refused connection or a 404 (the endpoint not served yet) is retried until
// ctx ends; a TLS failure or another answer is returned at once.
func (d *Driver) handshake(ctx context.Context, url string) (*peer.Client, error) {
	opts := peer.DialOptions{}
	if d.opts.dataTLS {
		cfg := &tls.Config{}
		if d.opts.caFile != "" {
			pem, err := os.ReadFile(d.opts.caFile)
			if err != nil {
				return nil, fmt.Errorf("ca file: %w", err)
			}
			cfg.RootCAs = x509.NewCertPool()
			cfg.RootCAs.AppendCertsFromPEM(pem)
		}
		opts.TLS = cfg
	}
	for {
		actx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := peer.Dial(actx, url, opts)
		cancel()
		if err == nil {
			return c, nil
		}
		var he *peer.HandshakeError
		retry := errors.Is(err, errConnRefused) || (errors.As(err, &he) && he.StatusCode == http.StatusNotFound) ||
			errors.Is(err, context.DeadlineExceeded)
		if !retry || ctx.Err() != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(preflightPoll):
		}
	}
}

// errConnRefused matches a refused connection (syscall.ECONNREFUSED) through
// the wrapping of net and websocket errors.
var errConnRefused = connRefused{}

type connRefused struct{}

func (connRefused) Error() string { return "connection refused" }

func (connRefused) Is(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && strings.Contains(oe.Err.Error(), "connection refused")
}

// handshakeFix says how to fix a failed handshake with the data server.
func handshakeFix(err error, o resolved) string {
	msg := err.Error()
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce *tls.CertificateVerificationError
	switch {
	case errors.As(err, &ue) || (errors.As(err, &ce) && strings.Contains(msg, "unknown authority")):
		if o.caFile == "" {
			return "the engine's certificate is not signed by a system root: pass the CA that signed it with --ca FILE (env " + EnvCA + "; wsconform config wrote it as DIR/certs/ca.pem)"
		}
		return "--ca " + o.caFile + " is not the CA that signed the engine's data server certificate: pass that CA (wsconform config wrote it as DIR/certs/ca.pem)"
	case errors.As(err, &he):
		return "the data server certificate does not name " + o.dataAddr + ": write it with wsconform config --host NAME, or pass --data-url with a name it holds"
	case !o.dataTLS && (strings.Contains(msg, "HTTP request to an HTTPS server") || strings.Contains(msg, "HTTP 400")):
		return "the data server speaks wss: pass --data-url wss://" + o.dataAddr + " and --ca with the CA that signed its certificate"
	case o.dataTLS && (strings.Contains(msg, "first record does not look like a TLS handshake") || strings.Contains(msg, "tls: ")):
		return "the data server does not speak TLS there: pass --data-url ws://" + o.dataAddr + ", or start the engine with a wss data server (wsconform config --tls)"
	case errors.Is(err, errConnRefused):
		return "nothing listens there: pass the engine's data server (source.httpServerIp and httpServerPort of kuiper.yaml) with --data-url (env " + EnvDataURL + ")"
	case strings.Contains(msg, "HTTP 404"):
		return "the data server does not serve the endpoint of a new server-mode stream: check that the engine's default websocket confKey is server mode and that --data-url names this engine's data server"
	default:
		return "check --data-url (env " + EnvDataURL + ") and, for wss, --ca"
	}
}

// awaitRecord waits for the record Preflight sent to arrive at the
// collector, reading the rule's status meanwhile: a sink or source exception
// ends the wait with that exception.
func (d *Driver) awaitRecord(ctx context.Context, ruleID string, rt *collect.Route) error {
	tick := time.NewTicker(preflightPoll * 4)
	defer tick.Stop()
	for {
		select {
		case <-rt.Records():
			return nil
		case <-ctx.Done():
			if p := d.ruleProblems(ruleID); p != "" {
				return fmt.Errorf("no record arrived within %s; rule %s", PreflightTimeout, p)
			}
			return fmt.Errorf("no record arrived within %s, and the rule reports no error", PreflightTimeout)
		case <-tick.C:
			if p := d.sinkProblem(ctx, ruleID); p != "" {
				return fmt.Errorf("the rule's rest sink failed: %s", p)
			}
		}
	}
}

// sinkProblem returns the last exception of the rule's sink, "" when none.
func (d *Driver) sinkProblem(ctx context.Context, ruleID string) string {
	st, err := (&rule{id: ruleID, t: &restTarget{d: d}}).Status(ctx)
	if err != nil {
		return ""
	}
	return st.LastExceptions("sink_")
}

// ruleProblems describes the rule's state and its exceptions, read with a
// context of its own; "" when the status cannot be read, or shows a running
// rule without exceptions.
func (d *Driver) ruleProblems(ruleID string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := (&rule{id: ruleID, t: &restTarget{d: d}}).Status(ctx)
	if err != nil || (st.State == "running" && st.LastExceptions() == "") {
		return ""
	}
	out := "status " + st.State
	if st.Message != "" {
		out += " (" + st.Message + ")"
	}
	if ex := st.LastExceptions(); ex != "" {
		out += ", " + ex
	}
	return out
}

func randomSuffix() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("preflight: random name: %w", err)
	}
	return hex.EncodeToString(b), nil
}
