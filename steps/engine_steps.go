package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/wsconform/wsconform/steps/target"
)

// engineSteps registers the steps that configure the engine and drive its
// streams and rules.
func engineSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the confKey "([^"]*)" points at the remote server(?: "([^"]*)")?$`, theConfKeyPointsAtTheRemoteServer)
	sc.Step(`^the confKey "([^"]*)" points at the remote server(?: "([^"]*)")? with:$`, theConfKeyPointsAtTheRemoteServerWith)
	sc.Step(`^the confKey "([^"]*)" points at an address where nothing listens$`, theConfKeyPointsAtAnAddressWhereNothingListens)
	sc.Step(`^the confKey "([^"]*)" has:$`, theConfKeyHas)
	sc.Step(`^the data server uses TLS with a certificate from the suite's CA$`, theDataServerUsesTLS)
	sc.Step(`^the data server requires client certificates from the suite's CA$`, theDataServerRequiresClientCertificates)
	sc.Step(`^the message size limit is (\d+) bytes$`, theMessageSizeLimitIs)

	sc.Step(`^a stream created with:$`, aStreamCreatedWith)
	sc.Step(`^a server-mode stream "([^"]*)" on "([^"]*)"$`, aServerModeStreamOn)
	sc.Step(`^a client-mode stream "([^"]*)" reading "([^"]*)" through the confKey "([^"]*)"$`, aClientModeStreamReadingThroughTheConfKey)
	sc.Step(`^creating this stream fails(?: with "([^"]*)")?:$`, creatingThisStreamFails)
	sc.Step(`^the stream "([^"]*)" is dropped$`, theStreamIsDropped)
	sc.Step(`^dropping the stream "([^"]*)" is refused(?: with "([^"]*)")?$`, droppingTheStreamIsRefused)

	sc.Step(`^the rule "([^"]*)" runs "([^"]*)"$`, theRuleRuns)
	sc.Step(`^the rule "([^"]*)" running "([^"]*)" is refused(?: with "([^"]*)")?$`, theRuleRunningIsRefused)
	sc.Step(`^I stop the rule "([^"]*)"$`, iStopTheRule)
	sc.Step(`^I start the rule "([^"]*)"$`, iStartTheRule)
	sc.Step(`^I restart the rule "([^"]*)"$`, iRestartTheRule)
	sc.Step(`^I delete the rule "([^"]*)"$`, iDeleteTheRule)

	sc.Step(`^the rule "([^"]*)" status becomes "([^"]*)"$`, theRuleStatusBecomes)
	sc.Step(`^the rule "([^"]*)" status mentions "([^"]*)"$`, theRuleStatusMentions)
	sc.Step(`^the rule "([^"]*)" keeps running$`, theRuleKeepsRunning)
	sc.Step(`^the rule "([^"]*)" reports an exception$`, theRuleReportsAnException)
	sc.Step(`^the rule "([^"]*)" reports no exception$`, theRuleReportsNoException)
	sc.Step(`^the rule "([^"]*)" shows the connection (up|down)$`, theRuleShowsTheConnection)
	sc.Step(`^the rule "([^"]*)" shows the connection status (-?\d+)$`, theRuleShowsTheConnectionStatus)
	sc.Step(`^the rule "([^"]*)" counts (\d+) messages in$`, theRuleCountsMessagesIn)
	sc.Step(`^the rule "([^"]*)" counts (\d+) decode errors?$`, theRuleCountsDecodeErrors)
	sc.Step(`^the rule "([^"]*)" counts no source exception$`, theRuleCountsNoSourceException)

	ruleSteps(sc)
}

// confKeyProps parses a two-column table of confKey properties. A value that
// parses as JSON (true, 1024, {"X": ["y"]}) is used as that JSON value; any
// other value is a string. Placeholders are expanded first.
func (w *World) confKeyProps(table *godog.Table) (map[string]any, error) {
	props := map[string]any{}
	if table == nil {
		return props, nil
	}
	for i, row := range table.Rows {
		if len(row.Cells) != 2 {
			return nil, fmt.Errorf("confKey table row %d: want 2 cells (property | value), got %d", i+1, len(row.Cells))
		}
		key := strings.TrimSpace(row.Cells[0].Value)
		raw, err := w.expand(strings.TrimSpace(row.Cells[1].Value))
		if err != nil {
			return nil, err
		}
		props[key] = w.propValue(key, raw)
	}
	return props, nil
}

// propValue turns a table cell into a property value; path properties get the
// scenario's own paths.
func (w *World) propValue(key, raw string) any {
	if key == "path" || key == "datasource" {
		return w.path(raw)
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return raw
	}
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int(f)
	}
	return v
}

// setConfKey stores a confKey for the scenario, replacing properties it
// already had.
func (w *World) setConfKey(name string, props map[string]any) {
	key := w.unique(name)
	cur := w.env.ConfKeys[key]
	if cur == nil {
		cur = map[string]any{}
		w.env.ConfKeys[key] = cur
	}
	for k, v := range props {
		cur[k] = v
	}
	w.changed()
}

func theConfKeyPointsAtTheRemoteServer(ctx context.Context, key, server string) error {
	return theConfKeyPointsAtTheRemoteServerWith(ctx, key, server, nil)
}

func theConfKeyPointsAtTheRemoteServerWith(ctx context.Context, key, server string, table *godog.Table) error {
	w := worldFrom(ctx)
	r, err := w.remote(server)
	if err != nil {
		return err
	}
	props, err := w.confKeyProps(table)
	if err != nil {
		return err
	}
	props["addr"] = r.srv.Addr()
	w.setConfKey(key, props)
	return nil
}

func theConfKeyPointsAtAnAddressWhereNothingListens(ctx context.Context, key string) error {
	w := worldFrom(ctx)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return fmt.Errorf("free port %s: %w", addr, err)
	}
	w.setConfKey(key, map[string]any{"addr": addr})
	return nil
}

func theConfKeyHas(ctx context.Context, key string, table *godog.Table) error {
	w := worldFrom(ctx)
	props, err := w.confKeyProps(table)
	if err != nil {
		return err
	}
	w.setConfKey(key, props)
	return nil
}

// serveDataTLS makes the data server speak wss with the suite's server
// certificate; with clientAuth it also demands client certificates from the
// suite's CA.
func (w *World) serveDataTLS(clientAuth bool) error {
	c, err := w.ensureCerts()
	if err != nil {
		return err
	}
	tf := &target.TLSFiles{CertFile: c.ServerCertFile, KeyFile: c.ServerKeyFile}
	if clientAuth {
		tf.ClientCAFile = c.CAFile
	}
	w.env.DataServerTLS = tf
	w.changed()
	return nil
}

func theDataServerUsesTLS(ctx context.Context) error {
	return worldFrom(ctx).serveDataTLS(false)
}

func theDataServerRequiresClientCertificates(ctx context.Context) error {
	return worldFrom(ctx).serveDataTLS(true)
}

func theMessageSizeLimitIs(ctx context.Context, n int64) error {
	w := worldFrom(ctx)
	w.env.MaxMessageBytes = n
	w.changed()
	return nil
}

// createStream runs a CREATE STREAM statement written in a feature.
func (w *World) createStream(ctx context.Context, sql string) error {
	if err := w.ready(ctx); err != nil {
		return err
	}
	sql, name := w.streamSQL(sql)
	ctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	if err := w.tgt.CreateStream(ctx, sql); err != nil {
		return fmt.Errorf("create stream with %q: %w", sql, err)
	}
	if name != "" {
		w.streams = append(w.streams, name)
	}
	return nil
}

func aStreamCreatedWith(ctx context.Context, doc *godog.DocString) error {
	return worldFrom(ctx).createStream(ctx, doc.Content)
}

func aServerModeStreamOn(ctx context.Context, name, path string) error {
	return worldFrom(ctx).createStream(ctx, fmt.Sprintf(
		`CREATE STREAM %s () WITH (DATASOURCE=%q, FORMAT="json", TYPE="websocket")`, name, path))
}

func aClientModeStreamReadingThroughTheConfKey(ctx context.Context, name, datasource, key string) error {
	return worldFrom(ctx).createStream(ctx, fmt.Sprintf(
		`CREATE STREAM %s () WITH (DATASOURCE=%q, FORMAT="json", TYPE="websocket", CONF_KEY=%q)`, name, datasource, key))
}

func creatingThisStreamFails(ctx context.Context, want string, doc *godog.DocString) error {
	w := worldFrom(ctx)
	if err := w.ready(ctx); err != nil {
		return err
	}
	sql, name := w.streamSQL(doc.Content)
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	err := w.tgt.CreateStream(tctx, sql)
	if err == nil {
		if name != "" && !slices.Contains(w.streams, name) {
			w.streams = append(w.streams, name)
		}
		return fmt.Errorf("creating the stream with %q succeeded; want an error", sql)
	}
	want, terr := w.text(want)
	if terr != nil {
		return terr
	}
	if !strings.Contains(err.Error(), want) {
		return fmt.Errorf("creating the stream with %q failed with %q; want an error containing %q", sql, err, want)
	}
	return nil
}

func theStreamIsDropped(ctx context.Context, name string) error {
	w := worldFrom(ctx)
	u := w.unique(name)
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	if err := w.tgt.DropStream(tctx, u); err != nil {
		return fmt.Errorf("drop stream %q: %w", u, err)
	}
	for i, s := range w.streams {
		if s == u {
			w.streams = append(w.streams[:i], w.streams[i+1:]...)
			break
		}
	}
	return nil
}

func droppingTheStreamIsRefused(ctx context.Context, name, want string) error {
	w := worldFrom(ctx)
	want, err := w.text(want)
	if err != nil {
		return err
	}
	u := w.unique(name)
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	err = w.tgt.DropStream(tctx, u)
	if err == nil {
		w.streams = slices.DeleteFunc(w.streams, func(s string) bool { return s == u })
		return fmt.Errorf("dropping the stream %q succeeded; want it refused", u)
	}
	if !strings.Contains(err.Error(), want) {
		return fmt.Errorf("dropping the stream %q failed with %q; want an error containing %q", u, err, want)
	}
	return nil
}

// createRule creates a rule and remembers it for clean-up.
func (w *World) createRule(ctx context.Context, id, sql string) (target.Rule, error) {
	if err := w.ready(ctx); err != nil {
		return nil, err
	}
	uid, usql := w.unique(id), w.selectSQL(sql)
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	r, err := w.tgt.CreateRule(tctx, uid, usql)
	if err != nil {
		return nil, fmt.Errorf("create rule %q with %q: %w", uid, usql, err)
	}
	w.rules[id] = r
	return r, nil
}

func theRuleRuns(ctx context.Context, id, sql string) error {
	_, err := worldFrom(ctx).createRule(ctx, id, sql)
	return err
}

func theRuleRunningIsRefused(ctx context.Context, id, sql, want string) error {
	w := worldFrom(ctx)
	return w.createRefused(ctx, id, want, func() (target.Rule, error) { return w.createRule(ctx, id, sql) })
}

// createRefused applies the scenario's configuration, creates the rule name
// with create, and checks that it is refused with want (see refused). A
// configuration the target cannot apply is no refusal of the rule.
func (w *World) createRefused(ctx context.Context, name, want string, create func() (target.Rule, error)) error {
	want, err := w.text(want)
	if err != nil {
		return err
	}
	if err := w.ready(ctx); err != nil {
		return err
	}
	r, err := create()
	return w.refused(ctx, name, r, err, want)
}

// refused passes when the creation of the scenario's rule name failed with
// an error containing want, or when the engine took the rule r and then
// reports it stopped by error with a status mentioning want.
func (w *World) refused(ctx context.Context, name string, r target.Rule, err error, want string) error {
	if err != nil {
		if !strings.Contains(err.Error(), want) {
			return fmt.Errorf("the rule was refused with %q; want an error containing %q", err, want)
		}
		return nil
	}
	// The engine took the rule: it must then fail to run it.
	return eventually(ctx, fmt.Sprintf("rule %q refused with %q", r.ID(), want), w.statusCheck(name, func(st target.Status) error {
		if st.State != "stopped by error" {
			return fmt.Errorf("the engine accepted rule %q and its status is %q; want the rule refused or %q", r.ID(), st.State, "stopped by error")
		}
		if !mentions(st, want) {
			return fmt.Errorf("rule %q is stopped by error, but its status %s does not mention %q", r.ID(), describe(st), want)
		}
		return nil
	}))
}

// ruleOp runs op on the target for a rule the scenario created, bounded by
// DefaultTimeout; verb names the operation in the error.
func (w *World) ruleOp(ctx context.Context, id, verb string, op func(ctx context.Context, id string) error) error {
	r, err := w.rule(id)
	if err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, target.DefaultTimeout)
	defer cancel()
	if err := op(tctx, r.ID()); err != nil {
		return fmt.Errorf("%s rule %q: %w", verb, r.ID(), err)
	}
	return nil
}

func iStopTheRule(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	return w.ruleOp(ctx, id, "stop", w.tgt.StopRule)
}

func iStartTheRule(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	return w.ruleOp(ctx, id, "start", w.tgt.StartRule)
}

func iRestartTheRule(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	return w.ruleOp(ctx, id, "restart", w.tgt.RestartRule)
}

func iDeleteTheRule(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	if err := w.ruleOp(ctx, id, "delete", w.tgt.DeleteRule); err != nil {
		return err
	}
	delete(w.rules, id)
	return nil
}

// status fetches a rule's status.
func (w *World) status(ctx context.Context, id string) (target.Status, error) {
	r, err := w.rule(id)
	if err != nil {
		return target.Status{}, err
	}
	st, err := r.Status(ctx)
	if err != nil {
		return target.Status{}, fmt.Errorf("get the status of rule %q: %w", r.ID(), err)
	}
	return st, nil
}

// statusCheck returns a check of a rule's status, for eventually and
// consistently: it fetches the status and passes it to check.
func (w *World) statusCheck(id string, check func(st target.Status) error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		st, err := w.status(ctx, id)
		if err != nil {
			return err
		}
		return check(st)
	}
}

// rulesSummary describes the status of every rule of the scenario, for
// failure messages.
func (w *World) rulesSummary(ctx context.Context) string {
	ids := make([]string, 0, len(w.rules))
	for id := range w.rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		st, err := w.status(ctx, id)
		if err != nil {
			parts = append(parts, fmt.Sprintf("rule %q: %v", id, err))
			continue
		}
		parts = append(parts, fmt.Sprintf("rule %q: %s", id, describe(st)))
	}
	if len(parts) == 0 {
		return "the scenario has no rule"
	}
	return strings.Join(parts, "; ")
}

// describe renders a status for failure messages.
func describe(st target.Status) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{state %q, message %q", st.State, st.Message)
	for _, k := range sortedKeys(st.Metrics) {
		if strings.HasSuffix(k, "_exceptions_total") || strings.HasSuffix(k, "_last_exception") ||
			strings.HasSuffix(k, "_connection_status") || strings.HasSuffix(k, "_records_in_total") {
			fmt.Fprintf(&b, ", %s: %v", k, st.Metrics[k])
		}
	}
	b.WriteString("}")
	return b.String()
}

// mentions tells whether a status message or any last exception contains s.
func mentions(st target.Status, s string) bool {
	if strings.Contains(st.Message, s) {
		return true
	}
	for k, v := range st.Metrics {
		if strings.HasSuffix(k, "_last_exception") && strings.Contains(fmt.Sprint(v), s) {
			return true
		}
	}
	return false
}

// number reads a metric value: a number of any Go type, a json.Number or a
// numeric string.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// exceptions sums every *_exceptions_total metric of a status; found is
// false when the status has no such metric.
func exceptions(st target.Status) (n float64, found bool) {
	for k, v := range st.Metrics {
		if strings.HasSuffix(k, "_exceptions_total") {
			found = true
			if f, ok := number(v); ok {
				n += f
			}
		}
	}
	return n, found
}

func theRuleStatusBecomes(ctx context.Context, id, state string) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q status %q", id, state), w.statusCheck(id, func(st target.Status) error {
		if st.State != state {
			return fmt.Errorf("status is %s", describe(st))
		}
		return nil
	}))
}

func theRuleStatusMentions(ctx context.Context, id, text string) error {
	w := worldFrom(ctx)
	text, err := w.text(text)
	if err != nil {
		return err
	}
	return eventually(ctx, fmt.Sprintf("rule %q status mentioning %q", id, text), w.statusCheck(id, func(st target.Status) error {
		if !mentions(st, text) {
			return fmt.Errorf("status is %s", describe(st))
		}
		return nil
	}))
}

func theRuleKeepsRunning(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	running := w.statusCheck(id, func(st target.Status) error {
		if st.State != "running" {
			return fmt.Errorf("status is %s", describe(st))
		}
		return nil
	})
	if err := eventually(ctx, fmt.Sprintf("rule %q running", id), running); err != nil {
		return err
	}
	return consistently(ctx, fmt.Sprintf("rule %q stops running", id), running)
}

func theRuleReportsAnException(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q counting an exception", id), w.statusCheck(id, func(st target.Status) error {
		if n, _ := exceptions(st); n == 0 {
			return fmt.Errorf("status is %s", describe(st))
		}
		return nil
	}))
}

func theRuleReportsNoException(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	return consistently(ctx, fmt.Sprintf("rule %q counts an exception", id), w.statusCheck(id, func(st target.Status) error {
		n, found := exceptions(st)
		if !found {
			return fmt.Errorf("no *_exceptions_total metric: status is %s", describe(st))
		}
		if n != 0 {
			return fmt.Errorf("%v exceptions: status is %s", n, describe(st))
		}
		return nil
	}))
}

func theRuleShowsTheConnection(ctx context.Context, id, state string) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q showing the connection %s", id, state), w.statusCheck(id, func(st target.Status) error {
		v, ok := st.Metric("source_", "_connection_status")
		if !ok {
			return fmt.Errorf("no source_*_connection_status metric: status is %s", describe(st))
		}
		f, ok := number(v)
		if !ok {
			return fmt.Errorf("connection status %v is not a number", v)
		}
		if up := f == 1; up != (state == "up") {
			return fmt.Errorf("connection status is %v (1 is up): status is %s", v, describe(st))
		}
		return nil
	}))
}

func theRuleCountsMessagesIn(ctx context.Context, id string, n int) error {
	return sourceMetricIs(ctx, id, "_records_in_total", fmt.Sprintf("counting %d messages in", n), n)
}

func theRuleShowsTheConnectionStatus(ctx context.Context, id string, want int) error {
	return sourceMetricIs(ctx, id, "_connection_status", fmt.Sprintf("showing connection status %d", want), want)
}

// sourceMetricIs waits until the rule's source_*<suffix> metric equals want;
// what names the wait in its error.
func sourceMetricIs(ctx context.Context, id, suffix, what string, want int) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q %s", id, what), w.statusCheck(id, func(st target.Status) error {
		v, ok := st.Metric("source_", suffix)
		if !ok {
			return fmt.Errorf("no source_*%s metric: status is %s", suffix, describe(st))
		}
		if f, ok := number(v); !ok || f != float64(want) {
			return fmt.Errorf("source_*%s is %v, want %d: status is %s", suffix, v, want, describe(st))
		}
		return nil
	}))
}

// decoderExceptions reads the op_*_decoder_*_exceptions_total metric.
func decoderExceptions(st target.Status) (float64, error) {
	for k, v := range st.Metrics {
		if strings.HasPrefix(k, "op_") && strings.Contains(k, "_decoder_") && strings.HasSuffix(k, "_exceptions_total") {
			f, ok := number(v)
			if !ok {
				return 0, fmt.Errorf("%s is %v, not a number", k, v)
			}
			return f, nil
		}
	}
	return 0, fmt.Errorf("no op_*_decoder_*_exceptions_total metric: status is %s", describe(st))
}

func theRuleCountsDecodeErrors(ctx context.Context, id string, n int) error {
	w := worldFrom(ctx)
	return eventually(ctx, fmt.Sprintf("rule %q counting %d decode errors on its decoder", id, n), w.statusCheck(id, func(st target.Status) error {
		got, err := decoderExceptions(st)
		if err != nil {
			return err
		}
		if got != float64(n) {
			return fmt.Errorf("the decoder counts %v exceptions: status is %s", got, describe(st))
		}
		return nil
	}))
}

func theRuleCountsNoSourceException(ctx context.Context, id string) error {
	w := worldFrom(ctx)
	return consistently(ctx, fmt.Sprintf("rule %q counts a source exception", id), w.statusCheck(id, func(st target.Status) error {
		v, ok := st.Metric("source_", "_exceptions_total")
		if !ok {
			return fmt.Errorf("no source_*_exceptions_total metric: status is %s", describe(st))
		}
		if f, ok := number(v); !ok || f != 0 {
			return fmt.Errorf("the source counts %v exceptions: status is %s", v, describe(st))
		}
		return nil
	}))
}
