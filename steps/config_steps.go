package steps

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/target"
)

// configSteps registers the steps that give the engine configuration files
// of the scenario's own (target.EngineFiles) and judge how it reads them.
func configSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the engine's etc/kuiper\.yaml is:$`, theEnginesKuiperYAMLIs)
	sc.Step(`^the engine's etc/sources/websocket\.yaml is:$`, theEnginesWebsocketYAMLIs)
	sc.Step(`^the engine refuses its configuration, naming (".*")$`, theEngineRefusesItsConfigurationNaming)
	sc.Step(`^the engine accepts its configuration$`, theEngineAcceptsItsConfiguration)
	sc.Step(`^the rule "([^"]*)" running "([^"]*)" is refused with the message:$`, theRuleRunningIsRefusedWithTheMessage)
	sc.Step(`^no server listens on 127\.0\.0\.1 port (\d+)$`, noServerListensOn127001Port)
}

// fileKeyRe matches a top-level key of a YAML mapping, at the start of a line.
var fileKeyRe = regexp.MustCompile(`(?m)^([A-Za-z][A-Za-z0-9_-]*):`)

// fileText expands the placeholders of a configuration file a feature
// writes: those of expand, and ${server-cert-file}, ${server-key-file} (the
// suite's data server certificate and key) and ${remote-addr} (the
// host:port of the scenario's remote server "remote").
func (w *World) fileText(doc *godog.DocString) (string, error) {
	if doc == nil {
		return "", errors.New("the step needs the file's text as a doc string")
	}
	s := doc.Content
	if strings.Contains(s, "${server-") {
		c, err := w.ensureCerts()
		if err != nil {
			return "", err
		}
		s = strings.ReplaceAll(s, "${server-cert-file}", c.ServerCertFile)
		s = strings.ReplaceAll(s, "${server-key-file}", c.ServerKeyFile)
	}
	if strings.Contains(s, "${remote-addr}") {
		r, err := w.remote("")
		if err != nil {
			return "", fmt.Errorf("placeholder ${remote-addr}: %w", err)
		}
		s = strings.ReplaceAll(s, "${remote-addr}", r.srv.Addr())
	}
	return w.expand(s)
}

func theEnginesKuiperYAMLIs(ctx context.Context, doc *godog.DocString) error {
	w := worldFrom(ctx)
	s, err := w.fileText(doc)
	if err != nil {
		return fmt.Errorf("etc/kuiper.yaml: %w", err)
	}
	if strings.TrimSpace(s) == "" {
		// An empty file is still a file the engine reads.
		s = "\n"
	}
	w.env.KuiperYAML = s
	w.changed()
	return nil
}

// theEnginesWebsocketYAMLIs sets the engine's sources/websocket.yaml. Its
// confKey names (the top-level keys) become the scenario's own, as CONF_KEY
// names in its streams do.
func theEnginesWebsocketYAMLIs(ctx context.Context, doc *godog.DocString) error {
	w := worldFrom(ctx)
	s, err := w.fileText(doc)
	if err != nil {
		return fmt.Errorf("etc/sources/websocket.yaml: %w", err)
	}
	s = fileKeyRe.ReplaceAllStringFunc(s, func(m string) string {
		return w.unique(strings.TrimSuffix(m, ":")) + ":"
	})
	if strings.TrimSpace(s) == "" {
		s = "\n"
	}
	w.env.WebsocketYAML = s
	w.changed()
	return nil
}

var quotedRe = regexp.MustCompile(`"([^"]*)"`)

// theEngineRefusesItsConfigurationNaming applies the scenario's
// configuration and wants the engine to refuse it with a message containing
// every quoted text of names ("kuiper.yaml", "source.httpServerPort" and
// "70000").
func theEngineRefusesItsConfigurationNaming(ctx context.Context, names string) error {
	w := worldFrom(ctx)
	var want []string
	for _, m := range quotedRe.FindAllStringSubmatch(names, -1) {
		t, err := w.text(m[1])
		if err != nil {
			return err
		}
		want = append(want, t)
	}
	if len(want) == 0 {
		return fmt.Errorf("naming %s: want one or more quoted texts", names)
	}
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	err := w.tgt.Apply(tctx, w.env)
	if err == nil {
		w.applied = true
		return fmt.Errorf("the engine accepted its configuration; want it refused, naming %s", names)
	}
	if errors.Is(err, target.ErrUnsupported) {
		return fmt.Errorf("%s cannot apply the configuration: %w", w.tgt.Name(), err)
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			return fmt.Errorf("the engine refused its configuration with %q; want a message naming %q", err, s)
		}
	}
	return nil
}

func theEngineAcceptsItsConfiguration(ctx context.Context) error {
	return worldFrom(ctx).ready(ctx)
}

// noServerListensOn127001Port makes sure a dial of 127.0.0.1:port is
// refused, as the scenario's expectations need.
func noServerListensOn127001Port(ctx context.Context, port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("port %d: want 1..65535", port)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	d := net.Dialer{Timeout: target.DefaultTimeout}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		_ = c.Close()
		return fmt.Errorf("a server listens on %s; the scenario needs that port free", addr)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("dial %s to see that nothing listens there: %w", addr, err)
	}
	return nil
}

// theRuleRunningIsRefusedWithTheMessage is theRuleRunningIsRefused with the
// expected text (which may hold quotes) in a doc string.
func theRuleRunningIsRefusedWithTheMessage(ctx context.Context, id, sql string, doc *godog.DocString) error {
	if doc == nil || strings.TrimSpace(doc.Content) == "" {
		return errors.New("the step needs the expected message as a doc string")
	}
	return theRuleRunningIsRefused(ctx, id, sql, strings.TrimSpace(doc.Content))
}
