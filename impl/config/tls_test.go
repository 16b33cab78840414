package config_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/internal/waits"
)

// handshake runs one TLS handshake over loopback between a server using srv and
// a client using cli, and returns the client's error and the number of
// certificates the server saw from the client.
func handshake(srv, cli *tls.Config) (int, error) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", srv)
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	type result struct{ peers int }
	done := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{}
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
		if err := tc.Handshake(); err != nil {
			done <- result{}
			return
		}
		done <- result{len(tc.ConnectionState().PeerCertificates)}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d := tls.Dialer{Config: cli}
	c, cerr := d.DialContext(ctx, "tcp", ln.Addr().String())
	if cerr == nil {
		// Read until the server closes so that its verdict on the client
		// certificate is known.
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Read(make([]byte, 1))
		c.Close()
	}
	var r result
	Eventually(done).WithTimeout(waits.Event).Should(Receive(&r))
	return r.peers, cerr
}

var _ = Describe("client TLS", func() {
	var pki, other testPKI
	var serverTLS *tls.Config

	BeforeEach(func() {
		pki = newTestPKI(GinkgoT().TempDir())
		other = newTestPKI(GinkgoT().TempDir())
		var err error
		serverTLS, err = config.Source{HTTPServerTLS: &config.ServerTLS{CertFile: pki.certFile, KeyFile: pki.keyFile}}.TLSConfig()
		Expect(err).NotTo(HaveOccurred())
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(pki.caPEM)).To(BeTrue())
		serverTLS.ClientCAs = pool
		serverTLS.ClientAuth = tls.VerifyClientCertIfGiven
	})

	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

	It("trusts rootCaPath and presents the client certificate from files", func() {
		cli, err := config.Props{RootCaPath: pki.caFile, CertificationPath: pki.certFile, PrivateKeyPath: pki.keyFile}.ClientTLS()
		Expect(err).NotTo(HaveOccurred())
		peers, err := handshake(serverTLS, cli)
		Expect(err).NotTo(HaveOccurred())
		Expect(peers).To(Equal(1))
	})

	It("uses the raw base64 variants", func() {
		cli, err := config.Props{RootCARaw: b64(pki.caPEM), CertficationRaw: b64(pki.certPEM), PrivateKeyRaw: b64(pki.keyPEM)}.ClientTLS()
		Expect(err).NotTo(HaveOccurred())
		peers, err := handshake(serverTLS, cli)
		Expect(err).NotTo(HaveOccurred())
		Expect(peers).To(Equal(1))
	})

	It("reads raw base64 broken into lines, LF or CRLF", func() {
		wrap := func(s string, n int, eol string) string {
			out := ""
			for len(s) > n {
				out += s[:n] + eol
				s = s[n:]
			}
			return out + s + eol
		}
		for _, eol := range []string{"\n", "\r\n"} {
			p, err := config.ParseProps(map[string]any{
				"rootCARaw":        wrap(b64(pki.caPEM), 64, eol),
				"certificationRaw": wrap(b64(pki.certPEM), 76, eol),
				"privateKeyRaw":    wrap(b64(pki.keyPEM), 64, eol),
			})
			Expect(err).NotTo(HaveOccurred())
			cli, err := p.ClientTLS()
			Expect(err).NotTo(HaveOccurred())
			peers, err := handshake(serverTLS, cli)
			Expect(err).NotTo(HaveOccurred())
			Expect(peers).To(Equal(1))
		}
	})

	It("refuses a server that speaks only TLS 1.1 or older", func() {
		cli, err := config.Props{RootCaPath: pki.caFile}.ClientTLS()
		Expect(err).NotTo(HaveOccurred())
		old := serverTLS.Clone()
		old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		_, err = handshake(old, cli)
		Expect(err).To(MatchError(ContainSubstring("protocol version")))
	})

	It("prefers a path over its raw variant", func() {
		cli, err := config.Props{RootCaPath: pki.caFile, RootCARaw: b64(other.caPEM)}.ClientTLS()
		Expect(err).NotTo(HaveOccurred())
		peers, err := handshake(serverTLS, cli)
		Expect(err).NotTo(HaveOccurred())
		Expect(peers).To(Equal(0))
	})

	It("fails the handshake with an untrusted server certificate", func() {
		cli, err := config.Props{RootCaPath: other.caFile}.ClientTLS()
		Expect(err).NotTo(HaveOccurred())
		_, err = handshake(serverTLS, cli)
		var unknown x509.UnknownAuthorityError
		Expect(errors.As(err, &unknown)).To(BeTrue(), "got %v", err)
	})

	It("accepts an untrusted server certificate with insecureSkipVerify", func() {
		cli, err := config.Props{RootCaPath: other.caFile, InsecureSkipVerify: true}.ClientTLS()
		Expect(err).NotTo(HaveOccurred())
		_, err = handshake(serverTLS, cli)
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("errors name the property and file",
		func(p func() config.Props, parts ...string) {
			_, err := p().ClientTLS()
			Expect(err).To(HaveOccurred())
			for _, s := range parts {
				Expect(err.Error()).To(ContainSubstring(s))
			}
		},
		Entry("a missing certificate file", func() config.Props {
			return config.Props{CertificationPath: "/nonexistent/client.crt", PrivateKeyPath: pki.keyFile}
		}, "certificationPath", "/nonexistent/client.crt", "no such file"),
		Entry("a missing CA file", func() config.Props {
			return config.Props{RootCaPath: pki.certFile + ".missing"}
		}, "rootCaPath", ".missing"),
		Entry("a CA file without certificates", func() config.Props {
			return config.Props{RootCaPath: pki.keyFile}
		}, "rootCaPath", "key.pem", "no PEM certificate"),
		Entry("a certificate without a key", func() config.Props {
			return config.Props{CertificationPath: pki.certFile}
		}, "certificationPath", "privateKeyPath"),
		Entry("a key without a certificate", func() config.Props {
			return config.Props{PrivateKeyRaw: b64(pki.keyPEM)}
		}, "privateKeyRaw", "certificationPath"),
	)

	It("names both files when the key does not match the certificate", func() {
		_, err := config.Props{CertificationPath: pki.certFile, PrivateKeyPath: other.keyFile}.ClientTLS()
		Expect(err).To(MatchError(And(ContainSubstring(pki.certFile), ContainSubstring(other.keyFile))))
	})
})
