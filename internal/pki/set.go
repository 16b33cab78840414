package pki

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
func NewSet() (*Set, error) {
	var s Set
	var err error
	if s.CA, err = NewCA("wsconform test CA"); err != nil {
		return nil, err
	}
	if s.Server, err = s.CA.Server("wsconform server"); err != nil {
		return nil, err
	}
	if s.Client, err = s.CA.Client("wsconform client"); err != nil {
		return nil, err
	}
	if s.UntrustedCA, err = NewCA("wsconform untrusted CA"); err != nil {
		return nil, err
	}
	if s.Untrusted, err = s.UntrustedCA.Server("wsconform untrusted server"); err != nil {
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
