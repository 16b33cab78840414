package docgen_test

import (
	"bytes"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/tools/internal/docgen"
)

const jsonFeature = `@json
Feature: JSON messages
  Each text message is decoded as JSON.

  @must @id:object-one-record
  Scenario: an object is one record
    The engine turns one JSON object into one record.
    More words that are not shown.

    Given a stream
    Then it works

  @must @id:array-records
  Scenario Outline: an array of <n> objects gives <n> records
    Given a stream
    Then it works

    Examples:
      | n |
      | 0 |
      | 2 |

    @extension
    Examples:
      | n   |
      | 999 |

  @should @needs-message-limit @id:pipe-angle
  Scenario: a | pipe and <angle> in a name
    Given a stream
`

const tlsFeature = `Feature: TLS
  @tls @must @id:wss-only
  Scenario: wss only
    Given a stream
`

var _ = Describe("docgen", func() {
	var dir string
	var stdout, stderr *bytes.Buffer

	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
		Expect(os.WriteFile(filepath.Join(dir, "json.feature"), []byte(jsonFeature), 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "tls.feature"), []byte(tlsFeature), 0o644)).To(Succeed())
	})

	read := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "README.md"))
		Expect(err).NotTo(HaveOccurred())
		return string(b)
	}

	It("documents each rule in plain words with its level, per area", func() {
		Expect(docgen.Run([]string{"-features", dir}, stdout, stderr)).To(Equal(0), stderr.String())
		doc := read()
		Expect(doc).NotTo(ContainSubstring("The column"))
		Expect(doc).To(HavePrefix("# Behaviour of the eKuiper WebSocket source\n"))
		Expect(doc).To(ContainSubstring("- **must**: documented behaviour"))
		Expect(doc).To(ContainSubstring("- **extension**: better than eKuiper"))
		Expect(doc).To(ContainSubstring("- [JSON messages](#json-messages) (3 rules)\n- [TLS](#tls) (1 rules)"))
		Expect(doc).To(ContainSubstring("## JSON messages\n\nFeature file: `json.feature`; area tag: `@json`.\n\nEach text message is decoded as JSON.\n"))
		Expect(doc).To(ContainSubstring("| level | rule | needs | id | scenario |\n|---|---|---|---|---|\n| must | **an object is one record**: The engine turns one JSON object into one record. |  | `object-one-record` | `json.feature:6` |\n"))
		Expect(doc).NotTo(ContainSubstring("More words"))
		Expect(doc).To(ContainSubstring("| must, extension | an array of &lt;n&gt; objects gives &lt;n&gt; records (3 examples) |  | `array-records` | `json.feature:14` |"))
		Expect(doc).To(ContainSubstring("| should | a \\| pipe and &lt;angle&gt; in a name | message-limit | `pipe-angle` | `json.feature:29` |"))
		Expect(doc).To(ContainSubstring("## TLS\n\nFeature file: `tls.feature`; area tag: `@tls`."))
	})

	It("is deterministic and -check tells fresh from stale", func() {
		Expect(docgen.Run([]string{"-features", dir}, stdout, stderr)).To(Equal(0))
		first := read()
		Expect(docgen.Run([]string{"-features", dir}, stdout, stderr)).To(Equal(0))
		Expect(read()).To(Equal(first))
		Expect(docgen.Run([]string{"-features", dir, "-check"}, stdout, stderr)).To(Equal(0), stderr.String())

		Expect(os.WriteFile(filepath.Join(dir, "tls.feature"), []byte(tlsFeature+"\n  @should\n  Scenario: new rule\n    Given x\n"), 0o644)).To(Succeed())
		Expect(docgen.Run([]string{"-features", dir, "-check"}, stdout, stderr)).To(Equal(1))
		Expect(stderr.String()).To(ContainSubstring("README.md is stale: run make generate"))
		Expect(read()).To(Equal(first))
	})

	It("fails without features", func() {
		Expect(docgen.Run([]string{"-features", GinkgoT().TempDir()}, stdout, stderr)).To(Equal(1))
		Expect(stderr.String()).To(ContainSubstring("no *.feature file"))
	})

	Describe("with an expectations file", func() {
		var exp string
		writeExp := func(text string) {
			Expect(os.WriteFile(exp, []byte(text), 0o644)).To(Succeed())
		}
		BeforeEach(func() {
			exp = filepath.Join(dir, "expect", "engine.yaml")
			Expect(os.MkdirAll(filepath.Dir(exp), 0o755)).To(Succeed())
			writeExp(`engine: Engine 2.4 | beta
expectations:
  object-one-record: {outcome: failed, reason: "it splits objects"}
  array-records: {outcome: failed, reason: "arrays are one record"}
  array-records/1: {outcome: passed, reason: "no element"}
  array-records/3: {outcome: skipped, reason: "too big"}
`)
		})

		It("shows the engine's outcome per rule, row groups for an outline whose rows differ", func() {
			Expect(docgen.Run([]string{"-features", dir, "-expectations", exp}, stdout, stderr)).To(Equal(0), stderr.String())
			doc := read()
			Expect(doc).To(ContainSubstring("The column *Engine 2.4 \\| beta* is what that engine does, as recorded in [`engine.yaml`](expect/engine.yaml) (`wsconform run --expect` checks it): it passes 3 scenarios, deviates on 2 and skips 1.\n"))
			Expect(doc).To(ContainSubstring("| level | rule | needs | id | scenario | Engine 2.4 \\| beta |\n|---|---|---|---|---|---|\n"))
			Expect(doc).To(ContainSubstring("| `object-one-record` | `json.feature:6` | deviates: it splits objects |\n"))
			Expect(doc).To(ContainSubstring("| `array-records` | `json.feature:14` | row 1 passes; row 2 deviates: arrays are one record; row 3 skipped: too big |\n"))
			Expect(doc).To(ContainSubstring("| `pipe-angle` | `json.feature:29` | passes |\n"))
			Expect(doc).To(ContainSubstring("| `wss-only` | `tls.feature:3` | passes |\n"))
		})

		It("-check notices a changed expectations file", func() {
			Expect(docgen.Run([]string{"-features", dir, "-expectations", exp}, stdout, stderr)).To(Equal(0), stderr.String())
			Expect(docgen.Run([]string{"-features", dir, "-expectations", exp, "-check"}, stdout, stderr)).To(Equal(0), stderr.String())
			writeExp("engine: Engine 2.4 | beta\nexpectations:\n  wss-only: {outcome: skipped, reason: no TLS}\n")
			Expect(docgen.Run([]string{"-features", dir, "-expectations", exp, "-check"}, stdout, stderr)).To(Equal(1))
			Expect(stderr.String()).To(ContainSubstring("README.md is stale: run make generate"))
		})

		It("fails on a bad file, an unknown id, or a file asked for that does not exist", func() {
			writeExp("engine: x\nexpectations:\n  nope: {outcome: failed, reason: r}\n")
			Expect(docgen.Run([]string{"-features", dir, "-expectations", exp}, stdout, stderr)).To(Equal(1))
			Expect(stderr.String()).To(ContainSubstring(`engine.yaml:3: entry "nope": unknown scenario id`))
			writeExp("engine: x\nexpectations:\n  wss-only: {outcome: maybe, reason: r}\n")
			Expect(docgen.Run([]string{"-features", dir, "-expectations", exp}, stdout, stderr)).To(Equal(1))
			Expect(stderr.String()).To(ContainSubstring(`outcome "maybe"`))
			Expect(docgen.Run([]string{"-features", dir, "-expectations", filepath.Join(dir, "none.yaml")}, stdout, stderr)).To(Equal(1))
			Expect(stderr.String()).To(ContainSubstring("none.yaml"))
		})
	})
})
