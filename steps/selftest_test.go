package steps_test

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/steps"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/steps/target/ref"
)

// defectAreas names, for every deliberate defect of the reference engine, the
// area whose scenarios must notice it.
var defectAreas = map[string]string{
	"ArrayAsOneRecord":          "@json",
	"TypedKeepsUnknownFields":   "@json",
	"DecodeBinaryFrames":        "@json",
	"StopOnDecodeError":         "@json",
	"KeepEndpointAfterStop":     "@server-mode",
	"NeverCloseDataServer":      "@lifecycle",
	"DropRequestHeaders":        "@client-mode",
	"MangleRequestHeaders":      "@client-mode",
	"ShareClientByPath":         "@client-mode",
	"RemoteCloseStaysConnected": "@client-mode",
	"IgnoreQuery":               "@client-mode",
	"SkipTLSVerify":             "@tls",
	"DropOnePercent":            "@robustness",
	"AcceptInvalidUTF8":         "@robustness",
	"NoReadLimit":               "@robustness",
	"RefuseForeignOrigin":       "@server-mode",
	"IgnorePings":               "@server-mode",
	"NoRecordsInCount":          "@server-mode",
	"NamedConfKeyAlone":         "@config",
	"AcceptRelativeDatasource":  "@stream-ddl",
	"NoClientCertificate":       "@tls",
	"StopLeavesClientOpen":      "@client-mode",
	"IgnoreConfKeyPath":         "@client-mode",
	"ConnectionPerRule":         "@client-mode",
	"SlowHandshakeTimeout":      "@client-mode",
	"RawCAIgnored":              "@tls",
	"RawCAWinsOverPath":         "@tls",
	"ServeDataPlain":            "@tls",
	"StopCloseNormal":           "@server-mode",
	"FirstClientOnly":           "@server-mode",
	"NumberToStringRefused":     "@json",
	"UpperCaseKeywordsOnly":     "@stream-ddl",
	"MissingCertFileIgnored":    "@tls",
	"FirstRuleOnly":             "@server-mode",
	"ProjectionIgnored":         "@stream-ddl",
	"LargeIntegersAsFloat":      "@json",
	"UnknownConfKeyFallsBack":   "@config",
	"DuplicateStreamReplaces":   "@stream-ddl",
	"UnknownPathUpgraded":       "@server-mode",
}

// variantsAtOnce is how many broken engines run at the same time.
const variantsAtOnce = 8

// TestSuiteCatchesDefects runs the features of the expected area against the
// reference engine built with one deliberate defect at a time, and checks that
// the run fails and that scenarios of that area are among the failures.
func TestSuiteCatchesDefects(t *testing.T) {
	if !fault.Enabled {
		t.Skip("the reference engine applies deliberate defects only when built with the selftest tag: go test -tags selftest ./steps -run TestSuiteCatchesDefects")
	}
	names := fault.Names()
	for _, name := range names {
		if _, ok := defectAreas[name]; !ok {
			t.Errorf("defect %s has no expected area: add it to defectAreas", name)
		}
	}
	var (
		mu       sync.Mutex
		caught   []string
		failedBy = map[string]bool{} // ids of the scenarios some defect fails
		wg       sync.WaitGroup
		slots    = make(chan struct{}, variantsAtOnce)
	)
	for _, name := range names {
		area, ok := defectAreas[name]
		if !ok {
			continue
		}
		faults, ok := fault.Only(name)
		if !ok {
			t.Fatalf("fault.Only(%q) found no such defect", name)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(name, func(t *testing.T) {
				failed, err := runVariant(t.TempDir(), faults, area)
				if err != nil {
					t.Fatal(err)
				}
				if len(failed) == 0 {
					t.Fatalf("with defect %s, every %s scenario passed: the suite does not notice it", name, area)
				}
				inArea := 0
				mu.Lock()
				for _, f := range failed {
					if f.has(area) {
						inArea++
					}
					if id := f.id(); id != "" {
						failedBy[id] = true
					}
					t.Logf("failed: %s", f.describe())
				}
				mu.Unlock()
				if inArea == 0 {
					t.Fatalf("with defect %s, no %s scenario failed; failed: %v", name, area, failed)
				}
				t.Logf("defect %s caught by %d %s scenario(s): %v", name, inArea, area, failed)
				mu.Lock()
				caught = append(caught, name)
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
	sort.Strings(caught)
	t.Logf("the suite caught %d of %d deliberate defects: %s", len(caught), len(names), strings.Join(caught, ", "))
	if len(caught) < 10 {
		t.Errorf("the suite caught %d defects; want at least 10", len(caught))
	}
	reportUncaught(t, failedBy, os.Getenv(mutationReportEnv))
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

// failedScenario is a scenario that did not pass in a cucumber report.
type failedScenario struct {
	Name string
	Tags []string
	// Step and Error are the first step that did not pass and its error.
	Step, Error string
}

func (f failedScenario) has(tag string) bool {
	for _, t := range f.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// id is the scenario's @id: tag value, "" without one.
func (f failedScenario) id() string {
	for _, t := range f.Tags {
		if id, ok := strings.CutPrefix(t, "@id:"); ok {
			return id
		}
	}
	return ""
}

func (f failedScenario) String() string { return fmt.Sprintf("%q", f.Name) }

// describe tells the scenario, its failed step and the step's error.
func (f failedScenario) describe() string {
	const maxError = 300
	msg := f.Error
	if len(msg) > maxError {
		msg = msg[:maxError] + "..."
	}
	return fmt.Sprintf("%q at step %q: %s", f.Name, f.Step, msg)
}

// runVariant runs the scenarios tagged area against a reference engine with
// faults, and returns the scenarios that failed.
func runVariant(dir string, faults fault.Set, area string) ([]failedScenario, error) {
	report := filepath.Join(dir, "cucumber.json")
	status := steps.Run(steps.Options{
		Factory:     ref.Factory(ref.Options{Faults: faults}),
		Tags:        area,
		Format:      "cucumber:" + report,
		Output:      io.Discard,
		Concurrency: 8,
	})
	failed, err := failedScenarios(report)
	if err != nil {
		return nil, err
	}
	if status == 0 && len(failed) > 0 {
		return nil, fmt.Errorf("godog reported success, but the report lists failures: %v", failed)
	}
	if status != 0 && len(failed) == 0 {
		return nil, fmt.Errorf("godog exited with status %d, but the report lists no failed scenario", status)
	}
	return failed, nil
}

// failedScenarios reads a cucumber JSON report and returns the scenarios with
// a step that did not pass or skip.
func failedScenarios(path string) ([]failedScenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the cucumber report: %w", err)
	}
	var features []struct {
		Elements []struct {
			Name string `json:"name"`
			Tags []struct {
				Name string `json:"name"`
			} `json:"tags"`
			Steps []struct {
				Keyword string `json:"keyword"`
				Name    string `json:"name"`
				Result  struct {
					Status string `json:"status"`
					Error  string `json:"error_message"`
				} `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(data, &features); err != nil {
		return nil, fmt.Errorf("parse the cucumber report %s: %w", path, err)
	}
	var failed []failedScenario
	for _, f := range features {
		for _, e := range f.Elements {
			fs := failedScenario{Name: e.Name}
			bad := false
			for _, s := range e.Steps {
				if s.Result.Status != "passed" && s.Result.Status != "skipped" && !bad {
					bad = true
					fs.Step = strings.TrimSpace(s.Keyword) + " " + s.Name
					fs.Error = s.Result.Status
					if s.Result.Error != "" {
						fs.Error += ": " + s.Result.Error
					}
				}
			}
			if !bad {
				continue
			}
			for _, tag := range e.Tags {
				fs.Tags = append(fs.Tags, tag.Name)
			}
			failed = append(failed, fs)
		}
	}
	return failed, nil
}
