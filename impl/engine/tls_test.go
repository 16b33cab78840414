package engine_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/gorilla/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/engine"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key to dir
// and returns the file names and a pool trusting it.
func selfSigned(dir string) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	keyDER, err := x509.MarshalECPrivateKey(key)
	Expect(err).NotTo(HaveOccurred())
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	Expect(os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)).To(Succeed())
	Expect(os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)).To(Succeed())
	cert, err := x509.ParseCertificate(der)
	Expect(err).NotTo(HaveOccurred())
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
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
		certFile, keyFile, pool := selfSigned(GinkgoT().TempDir())
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
