package steps_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/steps/target/ref"
)

// defect is what the self-test knows of one deliberate defect.
type defect struct {
	// area is the tag of the scenarios that must notice the defect.
	area string
	// catchers are ids of scenarios or Examples rows of area that fail with
	// the defect, the fastest ones a full run found. The quick self-test runs
	// them alone, and each must fail; WSCONFORM_SELFTEST=full runs the whole
	// area and proposes them anew.
	catchers []string
}

// defects lists every deliberate defect of the reference engine.
var defects = map[string]defect{
	"ArrayAsOneRecord":          {"@json", []string{"json-text-message-becomes-records/2", "json-text-message-becomes-records/6"}},
	"TypedKeepsUnknownFields":   {"@json", []string{"json-typed-number-to-string/5", "json-typed-number-to-string/6"}},
	"DecodeBinaryFrames":        {"@json", []string{"json-binary-messages-ignored"}},
	"StopOnDecodeError":         {"@json", []string{"json-typed-refuses-unconvertible/11", "json-typed-string-beyond-float-range"}},
	"KeepEndpointAfterStop":     {"@server-mode", []string{"server-404-after-delete-without-clients", "server-404-after-stop"}},
	"NeverCloseDataServer":      {"@lifecycle", []string{"lifecycle-delete-last-rule-closes-port", "lifecycle-port-opens-again"}},
	"DropRequestHeaders":        {"@client-mode", []string{"client-request-header-several-values", "client-request-headers-sent"}},
	"MangleRequestHeaders":      {"@client-mode", []string{"client-request-header-several-values", "client-request-headers-sent"}},
	"ShareClientByPath":         {"@client-mode", []string{"client-same-path-two-servers-kept-apart"}},
	"RemoteCloseStaysConnected": {"@client-mode", []string{"client-status-connection-down-after-remote-leaves/1", "client-status-connection-down-after-remote-leaves/2"}},
	"IgnoreQuery":               {"@client-mode", []string{"client-dialed-url-addr-datasource-query/2", "client-dialed-url-addr-datasource-query/3"}},
	"SkipTLSVerify":             {"@tls", []string{"tls-client-untrusted-stops-rule"}},
	"DropOnePercent":            {"@robustness", []string{"robust-order-kept"}},
	"AcceptInvalidUTF8":         {"@robustness", []string{"robust-failed-connection-one-exception", "robust-invalid-utf8-closes-1007"}},
	"NoReadLimit":               {"@robustness", []string{"robust-one-byte-over-limit-closes-1009", "robust-oversized-closes-1009"}},
	"RefuseForeignOrigin":       {"@server-mode", []string{"server-any-origin"}},
	"IgnorePings":               {"@server-mode", []string{"server-ping-pong"}},
	"NoRecordsInCount":          {"@server-mode", []string{"server-sink-counts-records", "server-status-counts-messages"}},
	"NamedConfKeyAlone":         {"@config", []string{"config-named-key-inherits-from-default"}},
	"AcceptRelativeDatasource":  {"@stream-ddl", []string{"ddl-datasource-needs-slash/1", "ddl-datasource-needs-slash/2"}},
	"NoClientCertificate":       {"@tls", []string{"tls-client-certificate-raw-as-read", "tls-client-raw-certificate-with-line-breaks"}},
	"StopLeavesClientOpen":      {"@client-mode", []string{"client-stop-closes-start-dials-again"}},
	"IgnoreConfKeyPath":         {"@client-mode", []string{"client-confkey-path-wins-over-confkey-datasource", "client-confkey-path-wins-over-datasource"}},
	"ConnectionPerRule":         {"@client-mode", []string{"client-two-rules-share-one-connection"}},
	"SlowHandshakeTimeout":      {"@client-mode", []string{"client-handshake-timeout-stops-rule"}},
	"RawCAIgnored":              {"@tls", []string{"tls-client-files-refused/6", "tls-client-raw-ca-with-line-breaks/1"}},
	"RawCAWinsOverPath":         {"@tls", []string{"tls-client-ca-path-wins"}},
	"ServeDataPlain":            {"@tls", []string{"tls-server-client-auth", "tls-server-files-from-kuiper-yaml"}},
	"StopCloseNormal":           {"@server-mode", []string{"server-stop-closes-clients-1001"}},
	"FirstClientOnly":           {"@server-mode", []string{"server-client-drop-keeps-rule", "server-many-clients-feed-one-stream"}},
	"NumberToStringRefused":     {"@json", []string{"json-typed-array-elements-use-schema", "json-typed-boolean-from-strings-and-numbers/8"}},
	"UpperCaseKeywordsOnly":     {"@stream-ddl", []string{"ddl-documented-forms/2"}},
	"MissingCertFileIgnored":    {"@tls", []string{"tls-client-files-refused/1", "tls-client-files-refused/2"}},
	"FirstRuleOnly":             {"@server-mode", []string{"server-shared-path-same-fields", "server-two-streams-one-path"}},
	"ProjectionIgnored":         {"@stream-ddl", []string{"rules-where-double-quote-in-single-quotes", "rules-where-typed-stream"}},
	"LargeIntegersAsFloat":      {"@json", []string{"json-int64-limits-exact/1", "json-large-integers-exact"}},
	"UnknownConfKeyFallsBack":   {"@config", []string{"config-unknown-conf-key-refused"}},
	"DuplicateStreamReplaces":   {"@stream-ddl", []string{"ddl-duplicate-stream-name"}},
	"UnknownPathUpgraded":       {"@server-mode", []string{"server-404-after-delete-without-clients", "server-404-after-stop-without-clients"}},
}

// selftestModeEnv set to "full" makes the self-test run every scenario of each
// defect's area instead of its catchers alone, report the scenarios that no
// defect fails, and propose the catchers.
const selftestModeEnv = "WSCONFORM_SELFTEST"

// catchersPerDefect is how many failing scenarios a full run proposes as a
// defect's catchers.
const catchersPerDefect = 2

// variantsAtOnce is how many broken engines run at the same time.
const variantsAtOnce = 8

// variant is one run of the suite against the engine with one defect.
type variant struct {
	name   string
	defect defect
	faults fault.Set
	// coll is made before the runs start: making one registers a godog
	// formatter in a map that godog does not guard.
	coll *results.Collector
}

// TestSuiteCatchesDefects runs scenarios against the reference engine built
// with one deliberate defect at a time and checks that each defect fails
// scenarios of its area: by default its catchers, each of which must fail;
// with WSCONFORM_SELFTEST=full every scenario of the area, of which some must
// fail.
func TestSuiteCatchesDefects(t *testing.T) {
	if !fault.Enabled {
		t.Skip("the reference engine applies deliberate defects only when built with the selftest tag: go test -tags selftest ./steps -run TestSuiteCatchesDefects")
	}
	full := false
	switch mode := os.Getenv(selftestModeEnv); mode {
	case "", "quick":
	case "full":
		full = true
	default:
		t.Fatalf("%s=%q: want full or quick", selftestModeEnv, mode)
	}
	var variants []variant
	for _, name := range fault.Names() {
		d, ok := defects[name]
		if !ok {
			t.Errorf("defect %s is not in defects: add it with its area, then run with %s=full for its catchers", name, selftestModeEnv)
			continue
		}
		if !full && len(d.catchers) == 0 {
			t.Errorf("defect %s has no catchers: run with %s=full and add the ones it proposes", name, selftestModeEnv)
			continue
		}
		faults, ok := fault.Only(name)
		if !ok {
			t.Fatalf("fault.Only(%q) found no such defect", name)
		}
		variants = append(variants, variant{name: name, defect: d, faults: faults, coll: results.NewCollector()})
	}
	var (
		mu       sync.Mutex
		caught   []string
		proposed = map[string][]string{}
		failedBy = map[string]bool{} // ids of the scenarios some defect fails
		wg       sync.WaitGroup
		slots    = make(chan struct{}, variantsAtOnce)
	)
	for _, v := range variants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(v.name, func(t *testing.T) {
				outcomes, err := runVariant(v, full)
				if err != nil {
					t.Fatal(err)
				}
				failed := failedIn(outcomes, v.defect.area)
				mu.Lock()
				for _, o := range failed {
					failedBy[featureset.BaseID(o.ID)] = true
				}
				proposed[v.name] = fastest(failed, catchersPerDefect)
				mu.Unlock()
				for _, o := range failed {
					t.Logf("failed: %s", describe(o))
				}
				if len(failed) == 0 {
					t.Fatalf("with defect %s, no %s scenario of the %d run failed: the suite does not notice it", v.name, v.defect.area, len(outcomes))
				}
				if missed := missedCatchers(v.defect.catchers, outcomes); len(missed) > 0 {
					t.Fatalf("with defect %s, its catchers %s did not fail; run with %s=full for new ones", v.name, strings.Join(missed, ", "), selftestModeEnv)
				}
				t.Logf("defect %s caught by %d %s scenario(s)", v.name, len(failed), v.defect.area)
				mu.Lock()
				caught = append(caught, v.name)
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
	sort.Strings(caught)
	t.Logf("the suite caught %d of %d deliberate defects: %s", len(caught), len(variants), strings.Join(caught, ", "))
	if len(caught) < 10 {
		t.Errorf("the suite caught %d defects; want at least 10", len(caught))
	}
	if !full {
		t.Logf("set %s=full to run every scenario of each area and list those that no defect fails", selftestModeEnv)
		return
	}
	logCatchers(t, proposed)
	reportUncaught(t, failedBy, os.Getenv(mutationReportEnv))
}

// runVariant runs the catchers of v, or with full every scenario of its
// area, against a reference engine with v's defect, and returns the outcomes.
func runVariant(v variant, full bool) ([]results.Outcome, error) {
	opts := steps.Options{
		Factory:     ref.Factory(ref.Options{Faults: v.faults}),
		Format:      v.coll.Format(),
		Output:      io.Discard,
		Concurrency: 8,
		Collector:   v.coll,
	}
	if full {
		opts.Tags = v.defect.area
	} else {
		sel, err := featureset.Select(features.FS, v.defect.catchers)
		if err != nil {
			return nil, fmt.Errorf("the catchers of %s: %w", v.name, err)
		}
		opts.FS, opts.Paths = sel.FS, sel.Paths
	}
	status := steps.Run(opts)
	outcomes := v.coll.Outcomes()
	if len(outcomes) == 0 {
		return nil, fmt.Errorf("with defect %s, no scenario ran (godog status %d)", v.name, status)
	}
	_, failed, _ := results.Counts(outcomes)
	if (status == 0) != (failed == 0) {
		return nil, fmt.Errorf("godog exited with status %d, but %d scenario(s) failed", status, failed)
	}
	return outcomes, nil
}

// failedIn returns the outcomes that failed among those tagged area.
func failedIn(outcomes []results.Outcome, area string) []results.Outcome {
	var failed []results.Outcome
	for _, o := range outcomes {
		if o.Status == results.Failed && o.HasTag(area) {
			failed = append(failed, o)
		}
	}
	return failed
}

// missedCatchers returns the catchers with no failed outcome among outcomes:
// a catcher is a scenario id (any of its rows failing counts) or a row id.
func missedCatchers(catchers []string, outcomes []results.Outcome) []string {
	var missed []string
	for _, c := range catchers {
		hit := false
		for _, o := range outcomes {
			if o.Status == results.Failed && (o.ID == c || featureset.BaseID(o.ID) == c) {
				hit = true
				break
			}
		}
		if !hit {
			missed = append(missed, c)
		}
	}
	return missed
}

// fastest returns the ids of the n quickest failed outcomes with an id.
func fastest(failed []results.Outcome, n int) []string {
	byTime := slices.Clone(failed)
	slices.SortStableFunc(byTime, func(a, b results.Outcome) int { return cmp.Compare(a.Duration, b.Duration) })
	var ids []string
	for _, o := range byTime {
		if o.ID != "" && len(ids) < n {
			ids = append(ids, o.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// logCatchers logs the defects table with the catchers a full run proposes,
// to paste over the one above when scenarios change.
func logCatchers(t *testing.T, proposed map[string][]string) {
	t.Helper()
	var b strings.Builder
	for _, name := range fault.Names() {
		ids := proposed[name]
		if len(ids) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\t%q: {%q, []string{%s}},\n", name, defects[name].area, quoteAll(ids))
	}
	t.Logf("proposed catchers:\n%s", b.String())
}

func quoteAll(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = strconv.Quote(id)
	}
	return strings.Join(q, ", ")
}

// describe tells the scenario, its failed step and the step's error.
func describe(o results.Outcome) string {
	const maxError = 300
	msg := o.Error
	if len(msg) > maxError {
		msg = msg[:maxError] + "..."
	}
	return fmt.Sprintf("%s %q (%s) at step %q: %s", o.ID, o.Name, o.Duration.Round(time.Millisecond), o.Step, msg)
}

// mutationReportEnv names JSON reports of go run ./tools/mutation (-json),
// separated like PATH entries, whose caught mutants count, beside the
// deliberate defects, as failing the scenarios they failed.
const mutationReportEnv = "WSCONFORM_MUTATION_REPORT"

// reportUncaught logs the scenarios (by id, an outline counting once) that no
// deliberate defect fails: a scenario nothing breaks may be unable to fail.
// With mutation reports, it also names those that no caught mutant of them
// fails either.
func reportUncaught(t *testing.T, failedBy map[string]bool, mutationReports string) {
	t.Helper()
	feats, err := featureset.Load(features.FS)
	if err != nil {
		t.Fatalf("load the features: %v", err)
	}
	var all, uncaught []string
	seen := map[string]bool{}
	for _, f := range feats {
		for _, sc := range f.Scenarios {
			id := featureset.BaseID(sc.ID)
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			all = append(all, id)
			if !failedBy[id] {
				uncaught = append(uncaught, id)
			}
		}
	}
	t.Logf("%d of %d scenarios fail with no deliberate defect: %s", len(uncaught), len(all), strings.Join(uncaught, ", "))
	if mutationReports == "" {
		t.Logf("set %s to -json reports of go run ./tools/mutation to leave out the scenarios their mutants fail", mutationReportEnv)
		return
	}
	// A mutant that fails most of the suite (a parser that refuses every
	// statement) shows nothing about any one scenario: it is left out.
	byMutant, broad := map[string]bool{}, 0
	for _, path := range filepath.SplitList(mutationReports) {
		failures, err := mutantFailures(path)
		if err != nil {
			t.Fatalf("%s: %v", mutationReportEnv, err)
		}
		for _, ids := range failures {
			if len(ids) > len(all)/2 {
				broad++
				continue
			}
			for _, id := range ids {
				byMutant[id] = true
			}
		}
	}
	var neither []string
	for _, id := range uncaught {
		if !byMutant[id] {
			neither = append(neither, id)
		}
	}
	t.Logf("%d of them fail with no caught mutant of %s either (%d mutants failing more than half of the %d scenarios left out): %s",
		len(neither), mutationReports, broad, len(all), strings.Join(neither, ", "))
}

// mutantFailures reads a mutation report and returns, for each caught mutant
// with a cucumber report, the ids of the scenarios it failed.
func mutantFailures(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep struct {
		Results []struct {
			Status string   `json:"status"`
			Failed []string `json:"failed_scenarios"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("parse the mutation report %s: %w", path, err)
	}
	var failures [][]string
	for _, r := range rep.Results {
		if r.Status == "caught" && len(r.Failed) > 0 {
			failures = append(failures, r.Failed)
		}
	}
	return failures, nil
}
