package peer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Certs is a set of TLS material generated at run time: a CA, a server
// certificate and a client certificate signed by it, and a server certificate
// signed by another CA that nobody trusts. Keys are ECDSA P-256. Every
// certificate is valid from an hour ago for one day.
type Certs struct {
	// Dir is the directory holding the PEM files below.
	Dir string
	// CAFile is the trusted CA certificate.
	CAFile string
	// ServerCertFile and ServerKeyFile: a server certificate signed by the CA,
	// valid for 127.0.0.1, ::1 and localhost.
	ServerCertFile, ServerKeyFile string
	// ClientCertFile and ClientKeyFile: a client certificate signed by the CA.
	ClientCertFile, ClientKeyFile string
	// UntrustedCAFile is a second CA; UntrustedCertFile and UntrustedKeyFile are
	// a server certificate for 127.0.0.1, ::1 and localhost signed by it.
	UntrustedCAFile, UntrustedCertFile, UntrustedKeyFile string
	// CAPEM and UntrustedCAPEM are the contents of CAFile and UntrustedCAFile.
	CAPEM, UntrustedCAPEM []byte

	caPool    *x509.CertPool
	server    tls.Certificate
	client    tls.Certificate
	untrusted tls.Certificate
}

type keyPair struct {
	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey
	keyPEM  []byte
}

// NewCerts generates the material and writes it under dir, which is created
// when missing.
func NewCerts(dir string) (*Certs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create certificate directory %q: %w", dir, err)
	}
	ca, err := newCA("wsconform test CA")
	if err != nil {
		return nil, err
	}
	server, err := newLeaf(ca, "wsconform server", x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	client, err := newLeaf(ca, "wsconform client", x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	otherCA, err := newCA("wsconform untrusted CA")
	if err != nil {
		return nil, err
	}
	untrusted, err := newLeaf(otherCA, "wsconform untrusted server", x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}

	c := &Certs{
		Dir:               dir,
		CAFile:            filepath.Join(dir, "ca.pem"),
		ServerCertFile:    filepath.Join(dir, "server.pem"),
		ServerKeyFile:     filepath.Join(dir, "server-key.pem"),
		ClientCertFile:    filepath.Join(dir, "client.pem"),
		ClientKeyFile:     filepath.Join(dir, "client-key.pem"),
		UntrustedCAFile:   filepath.Join(dir, "untrusted-ca.pem"),
		UntrustedCertFile: filepath.Join(dir, "untrusted-server.pem"),
		UntrustedKeyFile:  filepath.Join(dir, "untrusted-server-key.pem"),
		CAPEM:             ca.certPEM,
		UntrustedCAPEM:    otherCA.certPEM,
		caPool:            x509.NewCertPool(),
	}
	c.caPool.AddCert(ca.cert)
	files := []struct {
		path string
		data []byte
	}{
		{c.CAFile, ca.certPEM},
		{c.ServerCertFile, server.certPEM},
		{c.ServerKeyFile, server.keyPEM},
		{c.ClientCertFile, client.certPEM},
		{c.ClientKeyFile, client.keyPEM},
		{c.UntrustedCAFile, otherCA.certPEM},
		{c.UntrustedCertFile, untrusted.certPEM},
		{c.UntrustedKeyFile, untrusted.keyPEM},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return nil, fmt.Errorf("write %q: %w", f.path, err)
		}
	}
	for _, p := range []struct {
		dst *tls.Certificate
		kp  *keyPair
	}{{&c.server, server}, {&c.client, client}, {&c.untrusted, untrusted}} {
		cert, err := tls.X509KeyPair(p.kp.certPEM, p.kp.keyPEM)
		if err != nil {
			return nil, fmt.Errorf("load generated key pair %q: %w", p.kp.cert.Subject.CommonName, err)
		}
		*p.dst = cert
	}
	return c, nil
}

// ServerTLS returns a server configuration with the trusted server
// certificate. With requireClientCert the handshake fails unless the client
// presents a certificate signed by the CA; without it a client certificate is
// requested, verified when given, and not required, so Handshake can report
// whether one was presented.
func (c *Certs) ServerTLS(requireClientCert bool) *tls.Config {
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{c.server},
		ClientCAs:    c.caPool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
	}
	if requireClientCert {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg
}

// UntrustedServerTLS returns a server configuration with the certificate signed
// by the untrusted CA.
func (c *Certs) UntrustedServerTLS() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{c.untrusted},
	}
}

// ClientTLS returns a client configuration that trusts the CA and, with
// withClientCert, presents the client certificate.
func (c *Certs) ClientTLS(withClientCert bool) *tls.Config {
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		RootCAs:    c.caPool,
	}
	if withClientCert {
		cfg.Certificates = []tls.Certificate{c.client}
	}
	return cfg
}

func newCA(name string) (*keyPair, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{"wsconform"}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	return issue(tmpl, nil)
}

func newLeaf(ca *keyPair, name string, usage x509.ExtKeyUsage) (*keyPair, error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name, Organization: []string{"wsconform"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	if usage == x509.ExtKeyUsageServerAuth {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		tmpl.DNSNames = []string{"localhost"}
	}
	return issue(tmpl, ca)
}

// issue signs tmpl with parent, or self-signs it when parent is nil.
func issue(tmpl *x509.Certificate, parent *keyPair) (*keyPair, error) {
	name := tmpl.Subject.CommonName
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key for %q: %w", name, err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generate serial for %q: %w", name, err)
	}
	now := time.Now()
	tmpl.SerialNumber = serial
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.Add(24 * time.Hour)
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, fmt.Errorf("create certificate %q: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse certificate %q: %w", name, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("marshal key of %q: %w", name, err)
	}
	return &keyPair{
		cert:    cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:     key,
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}
