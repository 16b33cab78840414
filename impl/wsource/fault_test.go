package wsource_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"github.com/wsconform/wsconform/internal/pki"
	"os"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/impl/wsource"
	"github.com/wsconform/wsconform/internal/selftest"
)

var _ = Describe("wss trust with the CA defects", func() {
	BeforeEach(checkLeaks)

	clientSource := func(addr string, cfg wsource.Config) (*wsource.Source, *sink) {
		k := newSink(100)
		cfg.Props.Addr, cfg.Datasource, cfg.Stream, cfg.Emit = addr, "/feed", "cli", k.emit
		return newSource(cfg), k
	}
	var (
		certs *pki.Set
		files pki.Files
		r     *remote
		caRaw string
	)
	BeforeEach(func() {
		certs, files = newCerts()
		pem, err := os.ReadFile(files.CA)
		Expect(err).NotTo(HaveOccurred())
		caRaw = base64.StdEncoding.EncodeToString(pem)
		r = newRemote(&tls.Config{Certificates: []tls.Certificate{certs.Server.TLS()}})
	})

	It("trusts rootCARaw, unless RawCAIgnored", Label(selftest.Label), func() {
		s, k := clientSource(r.addr, wsource.Config{Props: config.Props{Scheme: "wss", RootCARaw: caRaw}})
		Expect(s.Start(context.Background())).To(Succeed())
		Expect(r.accept().WriteMessage(websocket.TextMessage, []byte(`{"raw":true}`))).To(Succeed())
		Eventually(k.ch).WithTimeout(waitFor).Should(Receive(Equal(`{"raw":true}`)))

		broken, _ := clientSource(r.addr, withDefects(wsource.Config{Props: config.Props{Scheme: "wss", RootCARaw: caRaw}}, fault.Set{RawCAIgnored: true}))
		Expect(broken.Start(context.Background())).To(MatchError(ContainSubstring("certificate")))
	})

	It("prefers rootCaPath over rootCARaw, unless RawCAWinsOverPath", Label(selftest.Label), func() {
		props := config.Props{Scheme: "wss", RootCaPath: files.CA,
			RootCARaw: base64.StdEncoding.EncodeToString([]byte("not a certificate"))}
		s, _ := clientSource(r.addr, wsource.Config{Props: props})
		Expect(s.Start(context.Background())).To(Succeed())
		r.accept()

		broken, _ := clientSource(r.addr, withDefects(wsource.Config{Props: props}, fault.Set{RawCAWinsOverPath: true}))
		Expect(broken.Start(context.Background())).To(MatchError(ContainSubstring(config.PropRootCARaw)))
	})

	It("names a missing CA file, unless MissingCertFileIgnored", Label(selftest.Label), func() {
		props := config.Props{Scheme: "wss", RootCaPath: files.CA + ".missing"}
		s, _ := clientSource(r.addr, wsource.Config{Props: props})
		Expect(s.Start(context.Background())).To(MatchError(ContainSubstring(props.RootCaPath)))

		broken, _ := clientSource(r.addr, withDefects(wsource.Config{Props: props}, fault.Set{MissingCertFileIgnored: true}))
		err := broken.Start(context.Background())
		Expect(err).To(MatchError(ContainSubstring("certificate")))
		Expect(err).NotTo(MatchError(ContainSubstring(props.RootCaPath)))
	})
})
