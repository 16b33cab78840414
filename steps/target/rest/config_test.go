package rest_test

import (
	"crypto/tls"
	"io/fs"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/steps/target/rest"
)

var _ = Describe("WriteConfig", func() {
	It("writes a plain configuration on the default loopback ports", func() {
		dir := GinkgoT().TempDir()
		c, err := rest.WriteConfig(dir, false)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Dir).To(Equal(dir))
		Expect(c.RestURL).To(Equal("http://127.0.0.1:9081"))
		Expect(c.DataURL).To(Equal("ws://127.0.0.1:10081"))
		Expect(c.CAFile).To(BeEmpty())
		Expect(filepath.Join(dir, "certs")).NotTo(BeADirectory())

		k, err := config.LoadKuiper(filepath.Join(dir, "kuiper.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Basic.RestIP).To(Equal("127.0.0.1"))
		Expect(k.Basic.RestPort).To(Equal(9081))
		Expect(k.Basic.EnablePrivateNet).To(BeTrue())
		Expect(k.Source.HTTPServerIP).To(Equal("127.0.0.1"))
		Expect(k.Source.HTTPServerPort).To(Equal(10081))
		Expect(k.Source.HTTPServerTLS).To(BeNil())

		keys, err := config.LoadConfKeys(filepath.Join(dir, "sources", "websocket.yaml"))
		Expect(err).NotTo(HaveOccurred())
		props, err := keys.Resolve("")
		Expect(err).NotTo(HaveOccurred())
		Expect(props.ServerMode()).To(BeTrue())

		Expect(c.Options()).To(Equal(rest.Options{RestURL: c.RestURL, DataURL: c.DataURL}))
		Expect(c.For).To(Equal(rest.EngineReference))
		Expect(c.EtcDir).To(Equal(dir))
		Expect(c.Files).To(Equal([]string{c.KuiperFile, c.WebsocketFile}))
		Expect(c.Dirs).To(BeEmpty())
		Expect(c.Start).To(Equal([]string{"kuiperd", "--etc", dir}))
		Expect(writtenFiles(dir)).To(ConsistOf(c.Files))
	})

	It("writes a wss data server with generated certificates and the chosen ports", func() {
		dir := GinkgoT().TempDir()
		c, err := rest.WriteConfigWith(dir, rest.ConfigOptions{TLS: true, RestPort: 19081, DataPort: 20081})
		Expect(err).NotTo(HaveOccurred())
		Expect(c.RestURL).To(Equal("http://127.0.0.1:19081"))
		Expect(c.DataURL).To(Equal("wss://127.0.0.1:20081"))
		Expect(c.CAFile).To(BeARegularFile())
		Expect(c.CAFile).To(HavePrefix(filepath.Join(dir, "certs") + string(filepath.Separator)))

		k, err := config.LoadKuiper(c.KuiperFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Basic.RestPort).To(Equal(19081))
		Expect(k.Source.HTTPServerPort).To(Equal(20081))
		Expect(k.Source.HTTPServerTLS).NotTo(BeNil())
		Expect(k.Source.HTTPServerTLS.CertFile).To(Equal(c.ServerCertFile))
		Expect(k.Source.HTTPServerTLS.KeyFile).To(Equal(c.ServerKeyFile))
		cfg, err := k.Source.TLSConfig()
		Expect(err).NotTo(HaveOccurred())
		Expect(cfg.Certificates).To(HaveLen(1))

		// The written server certificate is signed by the written CA.
		pair, err := tls.LoadX509KeyPair(c.ServerCertFile, c.ServerKeyFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(pair.Certificate).NotTo(BeEmpty())
		opts := c.Options()
		Expect(opts.CAFile).To(Equal(c.CAFile))
		Expect(opts.DataURL).To(Equal("wss://127.0.0.1:20081"))
		Expect(c.Files).To(ContainElements(c.CAFile, c.ServerCertFile, c.ServerKeyFile, c.KuiperFile, c.WebsocketFile))
		Expect(writtenFiles(dir)).To(ConsistOf(c.Files), "Files names every file written")
	})

	It("makes a relative directory absolute", func() {
		dir := GinkgoT().TempDir()
		wd, err := os.Getwd()
		Expect(err).NotTo(HaveOccurred())
		rel, err := filepath.Rel(wd, filepath.Join(dir, "etc"))
		Expect(err).NotTo(HaveOccurred())
		c, err := rest.WriteConfig(rel, false)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Dir).To(Equal(filepath.Join(dir, "etc")))
		Expect(c.WebsocketFile).To(BeARegularFile())
	})

	It("refuses an engine it does not know", func() {
		_, err := rest.WriteConfigWith(GinkgoT().TempDir(), rest.ConfigOptions{For: "kuiper"})
		Expect(err).To(MatchError(ContainSubstring(`"kuiper": want ekuiper or reference`)))
		e, err := rest.ParseEngine("ekuiper")
		Expect(err).NotTo(HaveOccurred())
		Expect(e).To(Equal(rest.EngineEKuiper))
		_, err = rest.ParseEngine("")
		Expect(err).To(HaveOccurred())
	})

	It("refuses ports out of range, naming them", func() {
		_, err := rest.WriteConfigWith(GinkgoT().TempDir(), rest.ConfigOptions{DataPort: 70000})
		Expect(err).To(MatchError(ContainSubstring("data port 70000")))
		_, err = rest.WriteConfigWith(GinkgoT().TempDir(), rest.ConfigOptions{RestPort: -1})
		Expect(err).To(MatchError(ContainSubstring("rest port -1")))
	})

	It("refuses a directory that holds something unless Force is set, and bad certificate options", func() {
		dir := GinkgoT().TempDir()
		_, err := rest.WriteConfig(dir, false)
		Expect(err).NotTo(HaveOccurred())
		_, err = rest.WriteConfig(dir, true)
		Expect(err).To(MatchError(rest.ErrDirNotEmpty))
		Expect(err).To(MatchError(ContainSubstring(dir)))
		_, err = rest.WriteConfigWith(dir, rest.ConfigOptions{TLS: true, Force: true})
		Expect(err).NotTo(HaveOccurred())
		_, err = rest.WriteConfigWith(GinkgoT().TempDir(), rest.ConfigOptions{TLS: true, Days: rest.MaxCertDays + 1})
		Expect(err).To(MatchError(ContainSubstring("certificate validity 3651 days")))
		_, err = rest.WriteConfigWith(GinkgoT().TempDir(), rest.ConfigOptions{TLS: true, Hosts: []string{"a b"}})
		Expect(err).To(MatchError(ContainSubstring(`certificate host "a b"`)))
	})

	It("names the directory it cannot write", func() {
		file := filepath.Join(GinkgoT().TempDir(), "file")
		Expect(os.WriteFile(file, nil, 0o600)).To(Succeed())
		_, err := rest.WriteConfig(filepath.Join(file, "etc"), false)
		Expect(err).To(MatchError(ContainSubstring(file)))
	})
})

// writtenFiles lists the regular files under dir.
func writtenFiles(dir string) []string {
	var files []string
	Expect(filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, path)
		}
		return err
	})).To(Succeed())
	return files
}
