package junit_test

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wsconform/wsconform/steps/results"
	"github.com/wsconform/wsconform/tools/internal/junit"
)

func sample() junit.Run {
	return junit.Run{
		Name: "wsconform", Target: "ref", SuiteVersion: "v0.3.0", Engine: "eKuiper 2.4.0", Started: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Duration: 3 * time.Second,
		Outcomes: []results.Outcome{
			{ID: "json-a/1", Feature: "JSON messages", File: "json.feature", Name: "A message", Line: 20,
				Tags: []string{"@json", "@must", "@id:json-a"}, Status: results.Passed, Example: []string{"message={}", "records=[{}]"}, Duration: 120 * time.Millisecond},
			{ID: "json-a/2", Feature: "JSON messages", File: "json.feature", Name: "A message", Line: 21,
				Tags: []string{"@json", "@must"}, Status: results.Failed, Step: "Then the rule outputs 1 record", StepLine: 15,
				Error: "rule \"r1\" output no record within 5s\nstatus: running", Example: []string{"message=[]"}},
			{ID: "tls-b", Feature: "TLS", File: "tls.feature", Name: "Server TLS", Line: 9,
				Tags: []string{"@tls", "@must"}, Status: results.Skipped, Step: "Given the data server uses TLS", Reason: "needs \"server-tls\""},
		},
	}
}

type doc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Skipped  int `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name       string `xml:"name,attr"`
			Classname  string `xml:"classname,attr"`
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Errors []struct{} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestMarshalOneCasePerScenario(t *testing.T) {
	b, err := junit.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b)
	}
	if d.Tests != 3 || d.Failures != 1 || d.Skipped != 1 {
		t.Errorf("totals tests=%d failures=%d skipped=%d; want 3, 1, 1", d.Tests, d.Failures, d.Skipped)
	}
	if len(d.Suites) != 2 || d.Suites[0].Name != "JSON messages" || d.Suites[0].Tests != 2 || d.Suites[1].Skipped != 1 {
		t.Fatalf("suites: %+v", d.Suites)
	}
	props := map[string]string{}
	for _, p := range d.Suites[1].Properties {
		props[p.Name] = p.Value
	}
	if props["target"] != "ref" || props["wsconform.version"] != "v0.3.0" || props["engine"] != "eKuiper 2.4.0" {
		t.Errorf("suite properties %v; want target, wsconform.version and engine", props)
	}
	c := d.Suites[0].Cases
	if c[0].Name != "A message [message={}, records=[{}]]" || c[0].Classname != "JSON messages" {
		t.Errorf("case 1 named %q, class %q", c[0].Name, c[0].Classname)
	}
	if c[0].Properties[0].Name != "id" || c[0].Properties[0].Value != "json-a/1" || !strings.Contains(c[0].Properties[1].Value, "@must") {
		t.Errorf("case 1 properties %+v", c[0].Properties)
	}
	if c[1].Failure == nil || !strings.Contains(c[1].Failure.Message, "Then the rule outputs 1 record: rule \"r1\" output no record") ||
		!strings.Contains(c[1].Failure.Text, "status: running") {
		t.Errorf("case 2 failure %+v", c[1].Failure)
	}
	s := d.Suites[1].Cases[0]
	if s.Skipped == nil || s.Skipped.Message != `needs "server-tls"` || s.Failure != nil || len(s.Errors) != 0 {
		t.Errorf("skipped case %+v", s)
	}
}

// TestMarshalValidatesAgainstSchema checks the output against the JUnit XML
// schema of testdata/junit.xsd with xmllint (Debian's libxml2-utils, which
// .ci/run installs).
func TestMarshalValidatesAgainstSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint is not installed (apt-get install libxml2-utils): the schema check needs it")
	}
	b, err := junit.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit.xsd", out).CombinedOutput(); err != nil {
		t.Fatalf("junit.xml does not validate: %v\n%s\n%s", err, msg, b)
	}
	// The check can fail: a testcase without its classname is refused.
	bad := strings.Replace(string(b), ` classname="TLS"`, "", 1)
	if err := os.WriteFile(out, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit.xsd", out).Run(); err == nil {
		t.Fatal("xmllint accepted a testcase without classname")
	}
}
