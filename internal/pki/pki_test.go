package pki_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/internal/pki"
	"github.com/wsconform/wsconform/internal/waits"
)

// handshakeResult is what the server side of a handshake saw.
type handshakeResult struct {
	clientCN string
	err      error
}

// handshake runs one TLS handshake over a real loopback connection to
// 127.0.0.1:0 and returns the client's error and what the server saw.
func handshake(server, client *tls.Config) (error, handshakeResult) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	done := make(chan handshakeResult, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- handshakeResult{err: err}
			return
		}
		defer c.Close()
		tc := tls.Server(c, server)
		err = tc.HandshakeContext(ctx)
		r := handshakeResult{err: err}
		if err == nil && len(tc.ConnectionState().PeerCertificates) > 0 {
			r.clientCN = tc.ConnectionState().PeerCertificates[0].Subject.CommonName
		}
		done <- r
	}()

	d := tls.Dialer{Config: client}
	c, cerr := d.DialContext(ctx, "tcp", ln.Addr().String())
	if cerr == nil {
		// A TLS 1.3 client finishes before the server has checked its
		// certificate; reading until the server closes surfaces its verdict.
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Read(make([]byte, 1))
		c.Close()
	}
	var r handshakeResult
	Eventually(done).WithTimeout(waits.Event).Should(Receive(&r))
	return cerr, r
}

var _ = Describe("certificates made at run time", func() {
	var ca, other *pki.CA
	var server, client, foreignClient *pki.Cert

	BeforeEach(func() {
		var err error
		ca, err = pki.NewCA("pki test CA")
		Expect(err).NotTo(HaveOccurred())
		other, err = pki.NewCA("pki other CA")
		Expect(err).NotTo(HaveOccurred())
		server, err = ca.Server("pki server")
		Expect(err).NotTo(HaveOccurred())
		client, err = ca.Client("pki client")
		Expect(err).NotTo(HaveOccurred())
		foreignClient, err = other.Client("pki foreign client")
		Expect(err).NotTo(HaveOccurred())
	})

	serverTLS := func() *tls.Config {
		return &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{server.TLS()},
			ClientCAs:    ca.Pool(),
			ClientAuth:   tls.RequireAndVerifyClientCert,
		}
	}

	It("completes a mutual TLS handshake over 127.0.0.1", func() {
		cerr, r := handshake(serverTLS(), &tls.Config{
			MinVersion:   tls.VersionTLS12,
			RootCAs:      ca.Pool(),
			Certificates: []tls.Certificate{client.TLS()},
		})
		Expect(cerr).NotTo(HaveOccurred())
		Expect(r.err).NotTo(HaveOccurred())
		Expect(r.clientCN).To(Equal("pki client"))
	})

	It("refuses a server certificate from a CA the client does not trust", func() {
		cerr, r := handshake(serverTLS(), &tls.Config{
			MinVersion:   tls.VersionTLS12,
			RootCAs:      other.Pool(),
			Certificates: []tls.Certificate{client.TLS()},
		})
		var unknown x509.UnknownAuthorityError
		Expect(errors.As(cerr, &unknown)).To(BeTrue(), "got %v", cerr)
		Expect(r.err).To(HaveOccurred())
	})

	It("refuses a client certificate from a CA the server does not trust", func() {
		_, r := handshake(serverTLS(), &tls.Config{
			MinVersion: tls.VersionTLS12,
			RootCAs:    ca.Pool(),
			// Present the certificate even though its CA is not among those
			// the server asks for.
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				c := foreignClient.TLS()
				return &c, nil
			},
		})
		var unknown x509.UnknownAuthorityError
		Expect(errors.As(r.err, &unknown)).To(BeTrue(), "got %v", r.err)
	})

	It("makes server certificates for every loopback name and client certificates for clients only", func() {
		for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
			_, err := server.Certificate.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: host})
			Expect(err).NotTo(HaveOccurred(), host)
		}
		_, err := server.Certificate.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "example.com"})
		Expect(err).To(HaveOccurred())
		_, err = client.Certificate.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
		Expect(err).NotTo(HaveOccurred())
		_, err = client.Certificate.Verify(x509.VerifyOptions{Roots: ca.Pool()})
		Expect(err).To(HaveOccurred(), "a client certificate must not serve")
		Expect(time.Until(server.Certificate.NotAfter)).To(BeNumerically("<=", pki.Validity))
	})

	It("issues a certificate for both ends", func() {
		both, err := ca.Issue("pki both", x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)
		Expect(err).NotTo(HaveOccurred())
		cerr, r := handshake(&tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{both.TLS()},
			ClientCAs:    ca.Pool(),
			ClientAuth:   tls.RequireAndVerifyClientCert,
		}, &tls.Config{
			MinVersion:   tls.VersionTLS12,
			RootCAs:      ca.Pool(),
			Certificates: []tls.Certificate{both.TLS()},
		})
		Expect(cerr).NotTo(HaveOccurred())
		Expect(r.err).NotTo(HaveOccurred())
		Expect(r.clientCN).To(Equal("pki both"))
	})

	It("writes PEM files that load back as the same key pair", func() {
		dir := filepath.Join(GinkgoT().TempDir(), "certs")
		paths, err := pki.WriteFiles(dir, map[string][]byte{
			"ca.pem": ca.CertPEM, "server.pem": server.CertPEM, "server-key.pem": server.KeyPEM,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(paths).To(HaveKeyWithValue("server.pem", filepath.Join(dir, "server.pem")))
		info, err := os.Stat(paths["server-key.pem"])
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Mode().Perm()).To(Equal(os.FileMode(0o600)))

		pair, err := tls.LoadX509KeyPair(paths["server.pem"], paths["server-key.pem"])
		Expect(err).NotTo(HaveOccurred())
		Expect(pair.Leaf.Equal(server.Certificate)).To(BeTrue())
		caPEM, err := os.ReadFile(paths["ca.pem"])
		Expect(err).NotTo(HaveOccurred())
		Expect(x509.NewCertPool().AppendCertsFromPEM(caPEM)).To(BeTrue())
	})

	It("names the path it cannot write", func() {
		file := filepath.Join(GinkgoT().TempDir(), "plain")
		Expect(os.WriteFile(file, nil, 0o600)).To(Succeed())
		_, err := pki.WriteFiles(file, map[string][]byte{"ca.pem": ca.CertPEM})
		Expect(err).To(MatchError(ContainSubstring(file)))
	})

	It("makes a set whose files load back and whose untrusted server fails against the CA", func() {
		set, err := pki.NewSet()
		Expect(err).NotTo(HaveOccurred())
		files, err := set.WriteFiles(GinkgoT().TempDir())
		Expect(err).NotTo(HaveOccurred())
		for _, pair := range [][2]string{
			{files.ServerCert, files.ServerKey},
			{files.ClientCert, files.ClientKey},
			{files.UntrustedCert, files.UntrustedKey},
		} {
			_, err := tls.LoadX509KeyPair(pair[0], pair[1])
			Expect(err).NotTo(HaveOccurred(), pair[0])
		}
		caPEM, err := os.ReadFile(files.CA)
		Expect(err).NotTo(HaveOccurred())
		Expect(caPEM).To(Equal(set.CA.CertPEM))

		cerr, _ := handshake(&tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{set.Untrusted.TLS()}},
			&tls.Config{MinVersion: tls.VersionTLS12, RootCAs: set.CA.Pool()})
		var unknown x509.UnknownAuthorityError
		Expect(errors.As(cerr, &unknown)).To(BeTrue(), "got %v", cerr)
		cerr, _ = handshake(&tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{set.Server.TLS()}},
			&tls.Config{MinVersion: tls.VersionTLS12, RootCAs: set.CA.Pool()})
		Expect(cerr).NotTo(HaveOccurred())
	})
})
