package redact_test

import (
	"encoding/base64"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/tools/internal/redact"
)

const pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5nQJ2Lv+qm9xSoAoGCCqGSM49\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY-----"

var _ = Describe("Redactor", func() {
	r := redact.New("s3cr3t-value", "ab")

	It("removes known values in plain, JSON and HTML form", func() {
		Expect(r.String(`got header X-Token=s3cr3t-value`)).To(Equal(`got header X-Token=[REDACTED]`))
		Expect(r.String(`{"name":"sent s3cr3t-value"}`)).NotTo(ContainSubstring("s3cr3t"))
		q := redact.New(`a"<b>`)
		Expect(q.String(`x a\"\u003cb\u003e y`)).To(Equal(`x [REDACTED] y`))
		Expect(q.String(`x a&#34;&lt;b&gt; y`)).To(Equal(`x [REDACTED] y`))
	})

	It("ignores values too short to be told from ordinary text", func() {
		Expect(r.String("table ab")).To(Equal("table ab"))
	})

	It("removes PEM blocks, also with escaped newlines, and base64 PEM", func() {
		Expect(r.String("key:\n" + pem + "\nafter")).To(Equal("key:\n[REDACTED PEM]\nafter"))
		escaped := `"doc":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"`
		Expect(r.String(escaped)).To(Equal(`"doc":"[REDACTED PEM]\n"`))
		raw := base64.StdEncoding.EncodeToString([]byte(pem))
		Expect(r.String("rootCARaw: " + raw + " end")).To(Equal("rootCARaw: [REDACTED] end"))
		Expect(r.String("truncated -----BEGIN CERTIFICATE-----\nMIIB")).To(Equal("truncated [REDACTED PEM]"))
	})

	It("removes values of sensitive headers it was not told about", func() {
		Expect(redact.New().String("Authorization: Bearer abc.def")).To(Equal("Authorization: [REDACTED]"))
		Expect(redact.New().String(`header map[Authorization:[Bearer xyz] X-Other:[ok]]`)).To(Equal(`header map[Authorization:[[REDACTED]] X-Other:[ok]]`))
		Expect(redact.New().String(`header "X-Api-Token" "abc"`)).To(Equal(`header "X-Api-Token" "[REDACTED]"`))
		Expect(redact.New().String("the rule gets 3 records")).To(Equal("the rule gets 3 records"))
	})

	It("removes every value of a sensitive header written as a list, also a value it was not told about", func() {
		Expect(redact.New().String(`the handshake carried Authorization: ["BEARER T0K3N-mangled" "v2"]`)).To(Equal(`the handshake carried Authorization: ["[REDACTED]" "[REDACTED]"]`))
		Expect(redact.New().String(`{"Cookie":["a=1","b=2"],"X-Site":["north"]}`)).To(Equal(`{"Cookie":["[REDACTED]","[REDACTED]"],"X-Site":["north"]}`))
		Expect(redact.New().String(`carried Authorization: [\"BEARER\"]`)).To(Equal(`carried Authorization: [\"[REDACTED]\"]`))
	})

	It("works as a nil Redactor", func() {
		var n *redact.Redactor
		Expect(n.String("Authorization: x")).To(Equal("Authorization: [REDACTED]"))
	})
})

var _ = Describe("FeatureSecrets", func() {
	It("finds header values in steps about headers only", func() {
		steps := []featureset.Step{
			{Text: `the confKey "k" sends header "X-Token" with "tok-123"`},
			{Text: `the confKey "k2" sends these request headers:`, Table: [][]string{{"X-Auth", "pw-456"}, {"X-Two", "v1", "v2"}}},
			{Text: `the handshake carried headers:`, DocString: "X-Trace: trace-789\nAccept: */*"},
			{Text: `the client sends "not a secret"`},
		}
		secrets := redact.FeatureSecrets([]featureset.Feature{{Scenarios: []featureset.Scenario{{Steps: steps}}}})
		Expect(secrets).To(ContainElements("tok-123", "pw-456", "v1", "v2", "trace-789", "*/*"))
		Expect(secrets).NotTo(ContainElement("X-Token"))
		Expect(secrets).NotTo(ContainElement("not a secret"))
	})

	It("leaves the other parameters of a header step alone", func() {
		steps := []featureset.Step{{Text: `a client "c1" connected to "/api/data" with the header "Origin: http://elsewhere.example"`}}
		secrets := redact.FeatureSecrets([]featureset.Feature{{Scenarios: []featureset.Scenario{{Steps: steps}}}})
		Expect(secrets).To(ConsistOf("http://elsewhere.example"))
	})
})

var _ = Describe("secrets of the suite's features", func() {
	It("finds requestHeader values and handshake header values", func() {
		steps := []featureset.Step{
			{Text: `the confKey "remote" points at the remote server with:`, Table: [][]string{{"requestHeader", `{"Authorization": ["Bearer t0k3n"], "X-Site": ["north"]}`}, {"addr", "127.0.0.1:1"}}},
			{Text: `the confKey "default" has:`, Table: [][]string{{"requestHeader", `{"X-Team": "red"}`}}},
			{Text: `the handshake carries the header "Authorization: Bearer t0k3n"`},
			{Text: `a client "c1" connected to "/api/data" with the header "Origin: http://elsewhere.example"`},
		}
		secrets := redact.FeatureSecrets([]featureset.Feature{{Scenarios: []featureset.Scenario{{Steps: steps}}}})
		Expect(secrets).To(ContainElements("Bearer t0k3n", "north", "red", "http://elsewhere.example"))
		Expect(secrets).NotTo(ContainElement("127.0.0.1:1"))
		Expect(secrets).NotTo(ContainElement(ContainSubstring("Authorization")))

		r := redact.New(secrets...)
		Expect(r.String(`handshake header "X-Team" was ["red"], the rule stored 3 records`)).To(Equal(`handshake header "X-Team" was ["[REDACTED]"], the rule stored 3 records`))
		Expect(r.String(`| requestHeader | {"Authorization": ["Bearer t0k3n"], "X-Site": ["north"]} |`)).To(Equal(`| requestHeader | {"Authorization": ["[REDACTED]"], "X-Site": ["[REDACTED]"]} |`))
	})
})
