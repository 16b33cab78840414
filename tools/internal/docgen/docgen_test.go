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

  @must
  Scenario: an object is one record
    The engine turns one JSON object into one record.
    More words that are not shown.

    Given a stream
    Then it works

  @must
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

  @should @needs-message-limit
  Scenario: a | pipe and <angle> in a name
    Given a stream
`

const tlsFeature = `Feature: TLS
  @tls @must
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
		Expect(doc).To(HavePrefix("# Behaviour of the eKuiper WebSocket source\n"))
		Expect(doc).To(ContainSubstring("- **must**: documented behaviour"))
		Expect(doc).To(ContainSubstring("- **extension**: better than eKuiper"))
		Expect(doc).To(ContainSubstring("- [JSON messages](#json-messages) (3 rules)\n- [TLS](#tls) (1 rules)"))
		Expect(doc).To(ContainSubstring("## JSON messages\n\nFeature file: `json.feature`; area tag: `@json`.\n\nEach text message is decoded as JSON.\n"))
		Expect(doc).To(ContainSubstring("| must | **an object is one record**: The engine turns one JSON object into one record. |  | `json.feature:6` |"))
		Expect(doc).NotTo(ContainSubstring("More words"))
		Expect(doc).To(ContainSubstring("| must, extension | an array of &lt;n&gt; objects gives &lt;n&gt; records (3 examples) |  | `json.feature:14` |"))
		Expect(doc).To(ContainSubstring("| should | a \\| pipe and &lt;angle&gt; in a name | message-limit | `json.feature:29` |"))
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
})
