// Package rest drives any engine with an eKuiper-compatible REST API as a
// target.Target: streams, rules and confKeys over REST, records through a rest
// sink posting to a collector the suite runs, errors and counters through rule
// status (metric keys matched by suffix).
//
// The engine must allow rest sinks to loopback addresses (eKuiper:
// basic.enablePrivateNet: true) and serve its data server where
// Options.DataURL says; WriteConfig writes such a configuration. Scenarios
// share the engine concurrently: every scenario's Target removes the rules,
// streams and confKeys it made when it closes, so the suite can run again
// against the same engine. A scenario that changes the default confKey, or
// sets a message size limit (written as maxMessageBytes on the default
// confKey and on the scenario's own confKeys), runs alone.
//
// A run leaves the engine as it found it. New reads the engine's default
// confKey (GET /metadata/sources/yaml/websocket); a scenario that needs a
// default with a message size limit starts from it, and a scenario that
// changes the default puts it back when it closes. The suite's server-mode
// scenarios need a server-mode default: when the engine's default names an
// addr, New makes it server mode for the run and Driver.Close puts the
// original back, exactly as it was read. A confKey the run did not make is
// never changed.
//
// In exclusive mode (Options.Exclusive) the engine serves only this run and
// the scenarios run one at a time, so the suite can also watch the data
// server's port open and close with one scenario's rules.
package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/wsconform/wsconform/steps/target"
	"github.com/wsconform/wsconform/steps/target/collect"
)

// Driver holds what the scenarios against one engine share: the REST client
// and the record collector. It makes one Target per scenario.
type Driver struct {
	opts      resolved
	client    *client
	ownClient bool
	coll      *collect.Collector
	gate      *gate
	def       defaultKey

	mu      sync.Mutex
	targets map[*restTarget]struct{}
	seq     uint64
	closed  bool
	// guessedDefault says that a scenario put back a default confKey the
	// engine did not list (defaultKey.assumed).
	guessedDefault bool
}

// New checks that the engine answers GET /ping, reads the engine's default
// confKey, starts the record collector, makes the default confKey server mode
// when it is not, and returns the driver. Close releases it and puts the
// default confKey back.
func New(ctx context.Context, opts Options) (*Driver, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	hc, own := opts.HTTPClient, false
	if hc == nil {
		hc, own = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, true
	}
	d := &Driver{
		opts:      r,
		client:    &client{base: r.rest.String(), http: hc},
		ownClient: own,
		targets:   map[*restTarget]struct{}{},
		gate:      newGate(),
	}
	if _, err := d.client.do(ctx, http.MethodGet, "/ping", nil); err != nil {
		d.closeIdle()
		return nil, fmt.Errorf("engine at %s does not answer: %w", r.rest, err)
	}
	if d.def, err = readDefault(ctx, d.client, r.defaultSet, r.defaultKey); err != nil {
		d.closeIdle()
		return nil, fmt.Errorf("engine at %s: %w", r.rest, err)
	}
	d.coll, err = collect.New(r.collector, r.postBase)
	if err != nil {
		d.closeIdle()
		return nil, err
	}
	if d.def.switched {
		if err := d.client.putDefault(ctx, d.def.run); err != nil {
			var ae *APIError
			if !errors.As(err, &ae) {
				// The engine may have changed the default before the call failed.
				if rerr := d.restoreDefault(); rerr != nil {
					err = errors.Join(err, rerr)
				}
			}
			_ = d.coll.Close()
			d.closeIdle()
			return nil, fmt.Errorf("engine at %s: making the default confKey server mode (addr \"\") for the run: %w", r.rest, err)
		}
	}
	return d, nil
}

// restoreDefault puts the engine's default confKey back as New read it.
func (d *Driver) restoreDefault() error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := d.client.putDefault(ctx, d.def.original); err != nil {
		return fmt.Errorf("cleanup: put back the engine's default confKey: %w", err)
	}
	return nil
}

// CollectorAddr is the address the record collector listens on.
func (d *Driver) CollectorAddr() string { return d.coll.Addr() }

// Factory returns a target.Factory making one Target per scenario on this
// driver's engine. In exclusive mode (Options.Exclusive) it makes one Target
// at a time, failing while another is open, and fails when the engine holds
// a rule at the scenario's start.
func (d *Driver) Factory() target.Factory {
	return func(ctx context.Context) (target.Target, error) {
		exclusive := d.opts.exclusive
		if exclusive {
			if !d.gate.tryExclusive() {
				return nil, errors.New("rest target: exclusive mode runs one scenario at a time, " +
					"but another scenario's target is still open; run the scenarios with concurrency 1")
			}
			if err := d.noRules(ctx); err != nil {
				d.gate.leave(true)
				return nil, err
			}
		} else if err := d.enterShared(ctx); err != nil {
			return nil, fmt.Errorf("rest target: waiting for a scenario that runs alone: %w", err)
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.closed {
			d.gate.leave(exclusive)
			return nil, errors.New("rest target: driver is closed")
		}
		t := &restTarget{
			d:         d,
			rules:     map[string]*rule{},
			streams:   map[string]struct{}{},
			confKeys:  map[string]struct{}{},
			refused:   map[string]error{},
			streamKey: map[string]string{},
			exclusive: exclusive,
		}
		d.targets[t] = struct{}{}
		return t, nil
	}
}

// enterShared waits while a scenario that changes the default confKey runs
// alone, for as long as runAlone would wait; only cancelling ctx ends the
// wait early.
func (d *Driver) enterShared(ctx context.Context) error {
	wctx, cancel := gateContext(ctx)
	defer cancel()
	return d.gate.enterShared(wctx)
}

// noRules checks that GET /rules lists no rule: in exclusive mode a rule
// left on the engine would keep its data server open.
func (d *Driver) noRules(ctx context.Context) error {
	body, err := d.client.do(ctx, http.MethodGet, "/rules", nil)
	if err != nil {
		return fmt.Errorf("rest target: exclusive mode: listing the engine's rules: %w", err)
	}
	var rules []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &rules); err != nil {
		return fmt.Errorf("rest target: exclusive mode: GET /rules: want a JSON array of rules, got %q: %w", collect.Preview(body), err)
	}
	if len(rules) == 0 {
		return nil
	}
	names := make([]string, 0, len(rules))
	for _, r := range rules {
		names = append(names, fmt.Sprintf("%s (%s)", r.ID, r.Status))
	}
	return fmt.Errorf("rest target: exclusive mode needs an engine with no rule when a scenario starts, "+
		"but the engine at %s has %d: %s; start a fresh engine for this run only, "+
		"or remove the rules a run or another client left behind",
		d.opts.rest, len(rules), strings.Join(names, ", "))
}

// Close closes the targets still open (removing what their scenarios made on
// the engine), puts the engine's default confKey back when New changed it,
// and stops the record collector. It is idempotent.
//
// For an engine that cannot list its confKeys, Close also returns an error
// when a scenario changed the default confKey: it was put back as
// Options.DefaultConfKey's default, {"addr": ""}, which may not be what the
// engine held.
func (d *Driver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	open := make([]*restTarget, 0, len(d.targets))
	for t := range d.targets {
		open = append(open, t)
	}
	d.mu.Unlock()
	var errs []error
	for _, t := range open {
		errs = append(errs, t.Close())
	}
	if d.def.switched {
		errs = append(errs, d.restoreDefault())
	}
	d.mu.Lock()
	guessed := d.guessedDefault
	d.mu.Unlock()
	if guessed {
		errs = append(errs, fmt.Errorf("the engine at %s cannot list its websocket confKeys (%v), "+
			"so the default confKey the scenarios changed was put back as %s, which may not be what the engine held; "+
			"check it, or use an engine that answers GET %s", d.opts.rest.Redacted(), d.def.unlisted, compactJSON(d.def.original), confKeysPath))
	}
	errs = append(errs, d.coll.Close())
	d.closeIdle()
	return errors.Join(errs...)
}

// compactJSON renders v for a message.
func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func (d *Driver) closeIdle() {
	if d.ownClient {
		d.client.http.CloseIdleConnections()
	}
}

func (d *Driver) forget(t *restTarget) {
	d.mu.Lock()
	delete(d.targets, t)
	d.mu.Unlock()
}

// nextSeq numbers collector routes so that a rule made again under the same
// id never receives its predecessor's records.
func (d *Driver) nextSeq() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	return d.seq
}
