package peer

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/wsconform/wsconform/internal/pki"
)

// Certs is a set of TLS material generated at run time: a CA, a server
// certificate and a client certificate signed by it, and a server certificate
// signed by another CA that nobody trusts. Keys are ECDSA P-256. Every
// certificate is valid from an hour ago for one day (NewCerts), or as long
// as NewCertsWith is told.
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

// NewCerts generates the material and writes it under dir, which is created
// when missing.
func NewCerts(dir string) (*Certs, error) { return NewCertsWith(dir, pki.SetOptions{}) }

// NewCertsWith is NewCerts with the extra server names and the validity
// opts give.
func NewCertsWith(dir string, opts pki.SetOptions) (*Certs, error) {
	set, err := pki.NewSetWith(opts)
	if err != nil {
		return nil, err
	}
	files, err := set.WriteFiles(dir)
	if err != nil {
		return nil, err
	}
	return &Certs{
		Dir:               dir,
		CAFile:            files.CA,
		ServerCertFile:    files.ServerCert,
		ServerKeyFile:     files.ServerKey,
		ClientCertFile:    files.ClientCert,
		ClientKeyFile:     files.ClientKey,
		UntrustedCAFile:   files.UntrustedCA,
		UntrustedCertFile: files.UntrustedCert,
		UntrustedKeyFile:  files.UntrustedKey,
		CAPEM:             set.CA.CertPEM,
		UntrustedCAPEM:    set.UntrustedCA.CertPEM,
		caPool:            set.CA.Pool(),
		server:            set.Server.TLS(),
		client:            set.Client.TLS(),
		untrusted:         set.Untrusted.TLS(),
	}, nil
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

// OldServerTLS returns a server configuration with the trusted server
// certificate that speaks TLS 1.0 up to version only (tls.VersionTLS10 or
// tls.VersionTLS11), as a server that was never upgraded does.
func (c *Certs) OldServerTLS(version uint16) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   version,
		Certificates: []tls.Certificate{c.server},
	}
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
