package pki

import (
	"crypto/x509"
	"fmt"
	"time"
)

// Set is the usual material of a TLS test: a CA, a server certificate and a
// client certificate signed by it, and a second CA that nobody is told to
// trust with a server certificate of its own.
type Set struct {
	// CA signs Server and Client.
	CA *CA
	// Server is valid for 127.0.0.1, ::1 and localhost.
	Server *Cert
	// Client is a client certificate.
	Client *Cert
	// UntrustedCA signs Untrusted.
	UntrustedCA *CA
	// Untrusted is a server certificate for 127.0.0.1, ::1 and localhost.
	Untrusted *Cert
}

// NewSet makes a Set.
func NewSet() (*Set, error) { return NewSetWith(SetOptions{}) }

// SetOptions choose the names and the validity of a Set's certificates. The
// zero value is what NewSet makes.
type SetOptions struct {
	// Hosts are IP addresses and DNS names the trusted server certificate
	// holds besides 127.0.0.1, ::1 and localhost.
	Hosts []string
	// Validity is how long every certificate stays valid from now.
	// Default Validity.
	Validity time.Duration
}

// NewSetWith makes a Set as opts say. A host that is neither an IP address
// nor a DNS name, or a negative validity, makes an error naming it.
func NewSetWith(opts SetOptions) (*Set, error) {
	validity := opts.Validity
	if validity < 0 {
		return nil, fmt.Errorf("certificate validity %s: want a positive duration", validity)
	}
	if validity == 0 {
		validity = Validity
	}
	var s Set
	var err error
	if s.CA, err = newCA("wsconform test CA", validity); err != nil {
		return nil, err
	}
	if s.Server, err = s.CA.ServerFor("wsconform server", opts.Hosts, validity); err != nil {
		return nil, err
	}
	if s.Client, err = s.CA.issueFor("wsconform client", validity, x509.ExtKeyUsageClientAuth); err != nil {
		return nil, err
	}
	if s.UntrustedCA, err = newCA("wsconform untrusted CA", validity); err != nil {
		return nil, err
	}
	if s.Untrusted, err = s.UntrustedCA.ServerFor("wsconform untrusted server", nil, validity); err != nil {
		return nil, err
	}
	return &s, nil
}

// Files are the paths of a Set's PEM files.
type Files struct {
	// Dir holds the files: ca.pem, server.pem, server-key.pem, client.pem,
	// client-key.pem, untrusted-ca.pem, untrusted-server.pem and
	// untrusted-server-key.pem.
	Dir                                      string
	CA, ServerCert, ServerKey                string
	ClientCert, ClientKey                    string
	UntrustedCA, UntrustedCert, UntrustedKey string
}

// WriteFiles writes the Set's certificates and keys as PEM files under dir,
// as WriteFiles does.
func (s *Set) WriteFiles(dir string) (Files, error) {
	paths, err := WriteFiles(dir, map[string][]byte{
		"ca.pem":                   s.CA.CertPEM,
		"server.pem":               s.Server.CertPEM,
		"server-key.pem":           s.Server.KeyPEM,
		"client.pem":               s.Client.CertPEM,
		"client-key.pem":           s.Client.KeyPEM,
		"untrusted-ca.pem":         s.UntrustedCA.CertPEM,
		"untrusted-server.pem":     s.Untrusted.CertPEM,
		"untrusted-server-key.pem": s.Untrusted.KeyPEM,
	})
	if err != nil {
		return Files{}, err
	}
	return Files{
		Dir:           dir,
		CA:            paths["ca.pem"],
		ServerCert:    paths["server.pem"],
		ServerKey:     paths["server-key.pem"],
		ClientCert:    paths["client.pem"],
		ClientKey:     paths["client-key.pem"],
		UntrustedCA:   paths["untrusted-ca.pem"],
		UntrustedCert: paths["untrusted-server.pem"],
		UntrustedKey:  paths["untrusted-server-key.pem"],
	}, nil
}
