package engine_test

import (
	"crypto/tls"
	"crypto/x509"
	"path/filepath"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/internal/pki"
)

// serverFiles writes a server certificate for 127.0.0.1 and its key to dir
// and returns the file names and a pool trusting the CA that signed it.
func serverFiles(dir string) (certFile, keyFile string, pool *x509.CertPool) {
	ca, err := pki.NewCA("engine test CA")
	Expect(err).NotTo(HaveOccurred())
	server, err := ca.Server("127.0.0.1")
	Expect(err).NotTo(HaveOccurred())
	paths, err := pki.WriteFiles(dir, map[string][]byte{"server.crt": server.CertPEM, "server.key": server.KeyPEM})
	Expect(err).NotTo(HaveOccurred())
	return paths["server.crt"], paths["server.key"], ca.Pool()
}

func tlsEngine(tlsFiles *config.ServerTLS) *engine.Engine {
	k := config.Default()
	k.Source.HTTPServerIP = "127.0.0.1"
	k.Source.HTTPServerPort = 0
	k.Source.HTTPServerTLS = tlsFiles
	e := engine.New(engine.Options{Kuiper: k})
	DeferCleanup(func() { Expect(e.Close()).To(Succeed()) })
	_, err := e.CreateStream(`CREATE STREAM s () WITH (DATASOURCE="/s")`)
	Expect(err).NotTo(HaveOccurred())
	return e
}

var _ = Describe("data server TLS", func() {
	It("serves server-mode streams over wss", func() {
		certFile, keyFile, pool := serverFiles(GinkgoT().TempDir())
		e := tlsEngine(&config.ServerTLS{CertFile: certFile, KeyFile: keyFile})
		mem := engine.NewMemorySink(4)
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Sinks: []engine.Sink{mem}})).To(Succeed())

		_, _, err := websocket.DefaultDialer.DialContext(ctxT(), "ws://"+e.DataServerAddr()+"/s", nil)
		Expect(err).To(HaveOccurred(), "a plain ws client must not get through")

		d := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}, HandshakeTimeout: 3 * time.Second}
		c, _, err := d.DialContext(ctxT(), "wss://"+e.DataServerAddr()+"/s", nil)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { _ = c.Close() })
		send(c, `{"secure":true}`)
		Expect(next(mem)).To(Equal(decode.Record{"secure": true}))
	})

	It("stops a server-mode rule by error naming a missing certificate file", func() {
		missing := filepath.Join(GinkgoT().TempDir(), "absent.crt")
		e := tlsEngine(&config.ServerTLS{CertFile: missing, KeyFile: missing})
		Expect(e.CreateRule(ctxT(), engine.RuleDef{ID: "r", SQL: "SELECT * FROM s", Actions: nopAction()})).To(Succeed())
		st := status(e, "r")
		Expect(st).To(HaveKeyWithValue("status", "stopped by error"))
		Expect(st).To(HaveKeyWithValue("message", ContainSubstring("absent.crt")))
	})
})
