package config_test

import (
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
)

var _ = Describe("the sample configuration in fixtures/etc", func() {
	etc := filepath.Join("..", "..", "fixtures", "etc")

	It("loads, with a server-mode default and client-mode named keys", func() {
		k, err := config.LoadKuiper(filepath.Join(etc, "kuiper.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(k.Basic.EnablePrivateNet).To(BeTrue())
		Expect(k.Source.Addr()).To(Equal("127.0.0.1:10081"))

		keys, err := config.LoadConfKeys(filepath.Join(etc, "sources", "websocket.yaml"))
		Expect(err).NotTo(HaveOccurred())
		def, err := keys.Resolve("")
		Expect(err).NotTo(HaveOccurred())
		Expect(def.ServerMode()).To(BeTrue())
		remote, err := keys.Resolve("remote")
		Expect(err).NotTo(HaveOccurred())
		Expect(remote.Addr).To(Equal("127.0.0.1:8080"))
		Expect(remote.RequestHeader.Values("X-Client")).To(Equal([]string{"wsconform"}))
		secure, err := keys.Resolve("secure")
		Expect(err).NotTo(HaveOccurred())
		Expect(secure.Scheme).To(Equal("wss"))
		Expect(secure.MaxMessageBytes).To(Equal(int64(1 << 20)))
	})
})
