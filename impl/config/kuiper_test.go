package config_test

import (
	"crypto/tls"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
)

var _ = Describe("kuiper.yaml", func() {
	It("has eKuiper's defaults", func() {
		k := config.Default()
		Expect(k.Basic.Addr()).To(Equal("127.0.0.1:9081"))
		Expect(k.Source.Addr()).To(Equal("0.0.0.0:10081"))
		Expect(k.Basic.EnablePrivateNet).To(BeFalse())
		Expect(k.Source.HTTPServerTLS).To(BeNil())
	})

	DescribeTable("parses",
		func(doc string, want config.Kuiper) {
			k, err := config.ParseKuiper("kuiper.yaml", []byte(doc))
			Expect(err).NotTo(HaveOccurred())
			Expect(k).To(Equal(want))
		},
		Entry("an empty file as the defaults", "", config.Default()),
		Entry("a file with other sections only", "rule:\n  qos: 0\n", config.Default()),
		Entry("every key",
			`
basic:
  restIp: 0.0.0.0
  restPort: 19081
  enablePrivateNet: true
  debug: false
source:
  httpServerIp: 127.0.0.1
  httpServerPort: 20081
  httpServerTls:
    certfile: /var/https-server.crt
    keyfile: /var/https-server.key
`,
			config.Kuiper{
				Basic: config.Basic{RestIP: "0.0.0.0", RestPort: 19081, EnablePrivateNet: true},
				Source: config.Source{HTTPServerIP: "127.0.0.1", HTTPServerPort: 20081,
					HTTPServerTLS: &config.ServerTLS{CertFile: "/var/https-server.crt", KeyFile: "/var/https-server.key"}},
			}),
		Entry("explicit port 0 (a free port at listen time)", "source:\n  httpServerPort: 0\n",
			config.Kuiper{Basic: config.Default().Basic, Source: config.Source{HTTPServerIP: "0.0.0.0", HTTPServerPort: 0}}),
		Entry("a commented-out TLS section as no TLS", "source:\n  httpServerPort: 10082\n  # httpServerTls:\n  #   certfile: /x\n",
			config.Kuiper{Basic: config.Default().Basic, Source: config.Source{HTTPServerIP: "0.0.0.0", HTTPServerPort: 10082}}),
		Entry("a null TLS section as no TLS", "source:\n  httpServerTls:\n",
			config.Default()),
		Entry("enablePrivateNet given as a string", "basic:\n  enablePrivateNet: \"true\"\n",
			config.Kuiper{Basic: config.Basic{RestIP: "127.0.0.1", RestPort: 9081, EnablePrivateNet: true}, Source: config.Default().Source}),
		Entry("the REST API's allowed hosts and origins, as lists or single values",
			"basic:\n  restAllowedHosts: [kuiper.lan, Edge-1]\n  restAllowedOrigins: https://console.lan:8443\n",
			config.Kuiper{Basic: config.Basic{RestIP: "127.0.0.1", RestPort: 9081,
				RestAllowedHosts: []string{"kuiper.lan", "Edge-1"}, RestAllowedOrigins: []string{"https://console.lan:8443"}},
				Source: config.Default().Source}),
	)

	DescribeTable("rejects, naming the file, key and value",
		func(doc string, parts ...string) {
			_, err := config.ParseKuiper("etc/kuiper.yaml", []byte(doc))
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring("etc/kuiper.yaml"))
			for _, p := range parts {
				Expect(err.Error()).To(ContainSubstring(p))
			}
		},
		Entry("a port out of range", "source:\n  httpServerPort: 70000\n", "source.httpServerPort", "70000", "out of range"),
		Entry("a negative port", "basic:\n  restPort: -1\n", "basic.restPort", "-1"),
		Entry("a port that is not a number", "basic:\n  restPort: lots\n", "basic.restPort", `"lots"`),
		Entry("malformed YAML", "source:\n  httpServerPort: [1\n", "malformed YAML"),
		Entry("a top level that is a list", "- a\n- b\n", "top level must be a mapping"),
		Entry("a section that is not a mapping", "source: 3\n", "source must be a mapping"),
		Entry("TLS without a key file", "source:\n  httpServerTls:\n    certfile: /a.crt\n", "httpServerTls", "keyfile", `"/a.crt"`),
		Entry("a boolean that is not one", "basic:\n  enablePrivateNet: maybe\n", "basic.enablePrivateNet", `"maybe"`),
		Entry("an allowed origin with a path", "basic:\n  restAllowedOrigins: [\"https://console.lan/app\"]\n", "basic.restAllowedOrigins", `"https://console.lan/app"`),
		Entry("an allowed host that is not a string", "basic:\n  restAllowedHosts: [{a: b}]\n", "basic.restAllowedHosts[0]"),
	)

	It("loads a file and names a missing one", func() {
		dir := GinkgoT().TempDir()
		path := filepath.Join(dir, "kuiper.yaml")
		Expect(os.WriteFile(path, []byte("source:\n  httpServerPort: 10099\n"), 0o600)).To(Succeed())
		k, err := config.LoadKuiper(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Source.HTTPServerPort).To(Equal(10099))
		Expect(k.Basic.RestPort).To(Equal(config.DefaultRestPort))

		_, err = config.LoadKuiper(filepath.Join(dir, "absent.yaml"))
		Expect(err).To(MatchError(ContainSubstring("absent.yaml")))
	})

	Describe("the data server TLS configuration", func() {
		It("is nil without httpServerTls", func() {
			cfg, err := config.Default().Source.TLSConfig()
			Expect(err).NotTo(HaveOccurred())
			Expect(cfg).To(BeNil())
		})

		It("loads the certificate and key files", func() {
			pki := newTestPKI(GinkgoT().TempDir())
			src := config.Source{HTTPServerTLS: &config.ServerTLS{CertFile: pki.certFile, KeyFile: pki.keyFile}}
			cfg, err := src.TLSConfig()
			Expect(err).NotTo(HaveOccurred())
			Expect(cfg.Certificates).To(HaveLen(1))
		})

		It("demands client certificates signed by clientcafile", func() {
			dir := GinkgoT().TempDir()
			pki := newTestPKI(dir)
			path := filepath.Join(dir, "kuiper.yaml")
			yml := "source:\n  httpServerTls:\n    certfile: " + pki.certFile + "\n    keyfile: " + pki.keyFile + "\n    clientCaFile: " + pki.caFile + "\n"
			Expect(os.WriteFile(path, []byte(yml), 0o600)).To(Succeed())
			k, err := config.LoadKuiper(path)
			Expect(err).NotTo(HaveOccurred())
			cfg, err := k.Source.TLSConfig()
			Expect(err).NotTo(HaveOccurred())
			Expect(cfg.ClientAuth).To(Equal(tls.RequireAndVerifyClientCert))
			Expect(cfg.ClientCAs).NotTo(BeNil())
		})

		It("names a clientcafile without certificates", func() {
			pki := newTestPKI(GinkgoT().TempDir())
			src := config.Source{HTTPServerTLS: &config.ServerTLS{CertFile: pki.certFile, KeyFile: pki.keyFile, ClientCAFile: pki.keyFile}}
			_, err := src.TLSConfig()
			Expect(err).To(MatchError(And(ContainSubstring("clientcafile"), ContainSubstring(pki.keyFile))))
		})

		It("names a missing certificate file", func() {
			pki := newTestPKI(GinkgoT().TempDir())
			missing := filepath.Join(GinkgoT().TempDir(), "nope.crt")
			src := config.Source{HTTPServerTLS: &config.ServerTLS{CertFile: missing, KeyFile: pki.keyFile}}
			_, err := src.TLSConfig()
			Expect(err).To(MatchError(And(ContainSubstring("certfile"), ContainSubstring(missing))))
		})

		It("names the files when the key does not match the certificate", func() {
			pki := newTestPKI(GinkgoT().TempDir())
			other := newTestPKI(GinkgoT().TempDir())
			src := config.Source{HTTPServerTLS: &config.ServerTLS{CertFile: pki.certFile, KeyFile: other.keyFile}}
			_, err := src.TLSConfig()
			Expect(err).To(MatchError(And(ContainSubstring(pki.certFile), ContainSubstring(other.keyFile))))
		})
	})
})
