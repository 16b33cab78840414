package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/peer"
	"github.com/wsconform/wsconform/steps/target"
)

// faultSteps registers the steps of clients behind the suite's fault proxy
// (peer.Proxy), which misbehaves on demand between a client and the engine.
func faultSteps(sc *godog.ScenarioContext) {
	sc.Step(`^a client "([^"]*)" connected to "([^"]*)" through the fault proxy$`, aClientConnectedToThroughTheFaultProxy)
	sc.Step(`^the fault proxy of client "([^"]*)" drips one byte every 10 ms$`, theFaultProxyOfClientDrips)
	sc.Step(`^the fault proxy of client "([^"]*)" goes half-open$`, theFaultProxyOfClientGoesHalfOpen)
	sc.Step(`^the fault proxy of client "([^"]*)" cuts the next frame in half$`, theFaultProxyOfClientCutsTheNextFrame)
	sc.Step(`^the rule "([^"]*)" reports an exception mentioning "([^"]*)"$`, theRuleReportsAnExceptionMentioning)
}

func aClientConnectedToThroughTheFaultProxy(ctx context.Context, name, path string) error {
	w := worldFrom(ctx)
	if err := w.ready(ctx); err != nil {
		return err
	}
	if _, ok := w.proxies[name]; ok {
		return fmt.Errorf("the scenario already has a fault proxy for client %q", name)
	}
	p, err := peer.NewProxy(w.tgt.DataServer().Addr)
	if err != nil {
		return fmt.Errorf("start a fault proxy: %w", err)
	}
	w.proxies[name] = p
	return w.connect(ctx, name, path, dialOptions{via: p.Addr()})
}

func (w *World) proxy(name string) (*peer.Proxy, error) {
	p, ok := w.proxies[name]
	if !ok {
		return nil, fmt.Errorf("client %q is not connected through a fault proxy", name)
	}
	return p, nil
}

func (w *World) setFault(name string, f peer.Fault) error {
	p, err := w.proxy(name)
	if err != nil {
		return err
	}
	p.Set(f)
	return nil
}

func theFaultProxyOfClientDrips(ctx context.Context, name string) error {
	return worldFrom(ctx).setFault(name, peer.Drip)
}

func theFaultProxyOfClientGoesHalfOpen(ctx context.Context, name string) error {
	return worldFrom(ctx).setFault(name, peer.HalfOpen)
}

func theFaultProxyOfClientCutsTheNextFrame(ctx context.Context, name string) error {
	return worldFrom(ctx).setFault(name, peer.CutMidFrame)
}

func theRuleReportsAnExceptionMentioning(ctx context.Context, id, text string) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q reporting an exception mentioning %q", id, text), w.statusCheck(id, func(st target.Status) error {
		if n, _ := exceptions(st); n == 0 {
			return fmt.Errorf("no exception: status is %s", describe(st))
		}
		v, ok := st.Metric("source_", "_last_exception")
		if !ok || !strings.Contains(strings.ToLower(fmt.Sprint(v)), strings.ToLower(text)) {
			return fmt.Errorf("the last source exception does not mention %q: status is %s", text, describe(st))
		}
		return nil
	}))
}
