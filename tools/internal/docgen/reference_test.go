package docgen_test

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/features"
	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/steps/featureset"
	"github.com/wsconform/wsconform/tools/internal/docgen"
)

const settingsFeature = `@config
Feature: Settings
  @must @id:limit-named
  Scenario: A limit named in a table
    Given the confKey "remote" has:
      | MAXMESSAGEBYTES | 64 |
    Then it works

  @must @id:limit-in-title
  Scenario: A message passes without maxMessageBytes
    Given a stream

  @should @id:addr-implied
  Scenario: The remote server is dialed
    Given the confKey "remote" points at the remote server
    Then it works

  @must @id:tls-implied
  Scenario: wss
    Given the data server uses TLS with a certificate from the suite's CA

  @must @id:path-in-prose
  Scenario: A path in prose is not the property
    The stream's path is served.

    Given a stream on path "/x"
`

// row returns the reference table row of key in doc, "" when there is none.
func row(doc, key string) string {
	for line := range strings.SplitSeq(doc, "\n") {
		if strings.HasPrefix(line, "| `"+key+"` |") {
			return line
		}
	}
	return ""
}

var _ = Describe("the configuration reference", func() {
	allSettings := append(append([]config.Setting{}, config.KuiperSettings...), config.ConfKeyProperties...)

	It("has a row for every setting impl/config declares, in the generated features/README.md", func() {
		doc, err := os.ReadFile(filepath.Join("..", "..", "..", "features", "README.md"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(doc)).To(ContainSubstring("\n## " + docgen.ReferenceTitle + "\n"))
		for _, s := range allSettings {
			Expect(row(string(doc), s.Key)).NotTo(BeEmpty(), "features/README.md has no row for %q: run make generate", s.Key)
		}
	})

	It("renders every setting with its type, default, mode and description", func() {
		fs, err := featureset.Load(features.FS)
		Expect(err).NotTo(HaveOccurred())
		doc := string(docgen.Render(fs, nil))
		for _, s := range allSettings {
			r := row(doc, s.Key)
			Expect(r).To(ContainSubstring(" | "+string(s.Mode)+" | "), s.Key)
			Expect(r).To(ContainSubstring(strings.ReplaceAll(s.Type, "|", `\|`)), s.Key)
			if s.Default != "" {
				Expect(r).To(ContainSubstring("`"+s.Default+"`"), s.Key)
			} else {
				Expect(r).To(ContainSubstring("(none)"), s.Key)
			}
		}
	})

	It("links the scenarios that name a setting first, then those whose steps set it, and eKuiper's deviations", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "settings.feature"), []byte(settingsFeature), 0o644)).To(Succeed())
		exp := filepath.Join(dir, "engine.yaml")
		Expect(os.WriteFile(exp, []byte("engine: Engine 9\nexpectations:\n  limit-named: {outcome: failed, reason: no limit}\n"), 0o644)).To(Succeed())
		Expect(docgen.Run([]string{"-features", dir, "-expectations", exp}, GinkgoWriter, GinkgoWriter)).To(Equal(0))
		b, err := os.ReadFile(filepath.Join(dir, "README.md"))
		Expect(err).NotTo(HaveOccurred())
		doc := string(b)

		Expect(row(doc, "maxMessageBytes")).To(ContainSubstring(
			"| [`limit-named`](settings.feature#L4), [`limit-in-title`](settings.feature#L10) | not read (accepted silently): an extension of the reference implementation; deviates on [`limit-named`](settings.feature#L4) |"))
		Expect(row(doc, "addr")).To(ContainSubstring("| [`addr-implied`](settings.feature#L14) | same |"))
		Expect(row(doc, "source.httpServerTls.certfile")).To(ContainSubstring("| [`tls-implied`](settings.feature#L19) | same |"))
		Expect(row(doc, "path")).To(ContainSubstring("| (no scenario) |"))
		Expect(row(doc, "basic.restPort")).To(ContainSubstring("| (no scenario) | same |"))
		Expect(doc).To(ContainSubstring("| key | type | default | mode | what it does | shown by | Engine 9 |"))
		// Scenarios the features do not have are named, not linked.
		Expect(doc).To(ContainSubstring("(`ddl-datasource-needs-slash`)"))
	})

	It("gives complete examples of both files that the parsers accept", func() {
		k, err := config.ParseKuiper("example kuiper.yaml", []byte(docgen.KuiperExample()))
		Expect(err).NotTo(HaveOccurred(), docgen.KuiperExample())
		Expect(k.Source.HTTPServerTLS).NotTo(BeNil())
		for _, s := range config.KuiperSettings {
			leaf := s.Key[strings.LastIndex(s.Key, ".")+1:]
			Expect(docgen.KuiperExample()).To(ContainSubstring(" "+leaf+": "), s.Key)
		}

		keys, err := config.ParseConfKeys("example websocket.yaml", []byte(docgen.ConfKeysExample()))
		Expect(err).NotTo(HaveOccurred(), docgen.ConfKeysExample())
		def, err := keys.Resolve("default")
		Expect(err).NotTo(HaveOccurred())
		Expect(def.ServerMode()).To(BeTrue())
		remote, err := keys.Resolve("remote")
		Expect(err).NotTo(HaveOccurred())
		Expect(remote.ServerMode()).To(BeFalse())
		Expect(remote.RequestHeader.Values("X-Team")).To(Equal([]string{"blue", "green"}))
		for _, s := range config.ConfKeyProperties {
			Expect(docgen.ConfKeysExample()).To(ContainSubstring("  "+s.Key+": "), s.Key)
		}
	})
})
