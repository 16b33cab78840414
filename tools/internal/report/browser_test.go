package report_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/expectations"
	"github.com/wsconform/wsconform/tools/internal/redact"
	"github.com/wsconform/wsconform/tools/internal/report"
)

// browser finds a Chromium to run headless: $WSCONFORM_CHROMIUM, or chromium,
// chromium-browser or google-chrome on PATH.
func browser() (string, error) {
	if p := os.Getenv("WSCONFORM_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium, chromium-browser or google-chrome on PATH (apt-get install chromium, or set WSCONFORM_CHROMIUM)")
}

// dumpDOM loads url in a headless Chromium and returns the DOM after the
// page's script ran.
func dumpDOM(t *testing.T, chromium, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir="+t.TempDir(), "--dump-dom", url)
	cmd.WaitDelay = 5 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s --dump-dom %s: %v\n%s", chromium, url, err, stderr.String())
	}
	dom := string(out)
	if !strings.Contains(dom, `data-ready="true"`) {
		t.Fatalf("the page's script did not finish (no data-ready on body):\n%s\n%s", dom, stderr.String())
	}
	return dom
}

var (
	scenarioTag = regexp.MustCompile(`<details class="scenario"[^>]*>`)
	attr        = func(tag, name string) string {
		m := regexp.MustCompile(` ` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return ""
		}
		return m[1]
	}
)

// visible returns the scenario elements the filters left shown.
func visible(dom string) []string {
	var out []string
	for _, tag := range scenarioTag.FindAllString(dom, -1) {
		if !regexp.MustCompile(` hidden(="[^"]*")?[ >]`).MatchString(tag) {
			out = append(out, tag)
		}
	}
	return out
}

// filterCount is the count the page's script shows beside a filter value.
func filterCount(t *testing.T, dom, name, value string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="` + value + `"[^>]*> [^<]*<span class="n">(\d*)</span>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no count for filter %s=%s", name, value)
	}
	return m[1]
}

// TestHTMLRendersAndFiltersInABrowser opens report.html in a real headless
// browser: the counts its script shows match the report's, and filters set
// through the URL fragment hide what they should.
func TestHTMLRendersAndFiltersInABrowser(t *testing.T) {
	chromium, err := browser()
	if err != nil {
		t.Skipf("no headless browser to check report.html in: %v", err)
	}
	outs := outcomes()
	outs = append(outs, results.Outcome{ID: "json-rows/2", Feature: "JSON", File: "json.feature", Name: "rows", Line: 41, Tags: []string{"@json", "@must"},
		Status: results.Failed, Step: "Then it fails", StepLine: 38, Error: "want 2", Example: []string{"message={}"},
		Steps: []results.Step{{Text: "Given a stream", Line: 36, Status: "passed"}, {Text: "Then it fails", Line: 38, Status: "failed", Error: "want 2"}, {Text: "And more", Line: 39, Status: "skipped"}}})
	file, err := expectations.Parse("exp.yaml", []byte("engine: E\nexpectations:\n  json-rows/2: {outcome: failed, reason: known}\n"))
	if err != nil {
		t.Fatal(err)
	}
	judged, err := expectations.Judge(file, outs, func(o results.Outcome) (results.Outcome, error) { return o, nil })
	if err != nil {
		t.Fatal(err)
	}
	m := report.Build(report.Run{Target: "reference", SuiteVersion: "v9.8.7", Engine: "Engine 1.0", Rerun: "wsconform run --target ref",
		Started: time.Now(), Outcomes: outs, Expectations: &judged}, redact.New())
	page, err := report.HTML(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + filepath.ToSlash(path)

	all := dumpDOM(t, chromium, url)
	n := len(m.Scenarios)
	if got := len(visible(all)); got != n {
		t.Errorf("unfiltered page shows %d scenarios; want %d", got, n)
	}
	if want := fmt.Sprintf(`<span id="shown">%d of %d scenarios shown</span>`, n, n); !strings.Contains(all, want) {
		t.Errorf("unfiltered page lacks %q", want)
	}
	for status, want := range map[string]int{"passed": m.Passed, "failed": m.Failed, "skipped": m.Skipped} {
		if got := filterCount(t, all, "status", status); got != fmt.Sprint(want) {
			t.Errorf("the page counts %s %s; the report %d", got, status, want)
		}
	}
	for _, l := range m.Levels {
		want := l.Total()
		if got := filterCount(t, all, "level", strings.TrimPrefix(l.Tag, "@")); got != fmt.Sprint(want) {
			t.Errorf("the page counts %s %s scenarios; the report %d", got, l.Tag, want)
		}
	}
	if got := filterCount(t, all, "verdict", "known-deviation"); got != "1" {
		t.Errorf("the page counts %s known deviations; want 1", got)
	}
	for _, want := range []string{`<dd id="suite">wsconform v9.8.7</dd>`, `<dd id="engine">Engine 1.0</dd>`, `<li class="step failed" data-step-status="failed">Then it fails`,
		`<code>wsconform run --target ref --id json-rows/2</code>`, `<th>message</th>`} {
		if !strings.Contains(all, want) {
			t.Errorf("the page lacks %q", want)
		}
	}

	mustFailed := 0
	for _, s := range m.Scenarios {
		if s.Status == "failed" && s.Level == "@must" {
			mustFailed++
		}
	}
	filtered := dumpDOM(t, chromium, url+"#status=failed&level=must")
	shown := visible(filtered)
	if len(shown) != mustFailed || mustFailed == 0 {
		t.Errorf("#status=failed&level=must shows %d scenarios; want %d (of %d)", len(shown), mustFailed, n)
	}
	for _, tag := range shown {
		if attr(tag, "data-status") != "failed" || attr(tag, "data-level") != "must" {
			t.Errorf("the filter left %s shown", tag)
		}
	}
	if want := fmt.Sprintf(`<span id="shown">%d of %d scenarios shown</span>`, mustFailed, n); !strings.Contains(filtered, want) {
		t.Errorf("filtered page lacks %q", want)
	}

	found := dumpDOM(t, chromium, url+"#area=tls&q=confkey")
	if shown := visible(found); len(shown) != 0 {
		t.Errorf("#area=tls&q=confkey shows %v; want none (no tls scenario is named so)", shown)
	}
	found = dumpDOM(t, chromium, url+"#area=tls&q=skipped")
	if shown := visible(found); len(shown) != 1 || attr(shown[0], "data-name") != "skipped at run time" {
		t.Errorf("#area=tls&q=skipped shows %v; want the one tls scenario so named", shown)
	}
}
