package wsource_test

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/wsconform/wsconform/internal/pki"
)

// testPKI is TLS material generated at run time: a CA, a server certificate
// for 127.0.0.1 and a client certificate both signed by it, and an untrusted
// CA with its own server certificate.
type testPKI struct {
	CAPool        *x509.CertPool
	Server        tls.Certificate
	Client        tls.Certificate
	UntrustedPool *x509.CertPool
	Untrusted     tls.Certificate

	// PEM files of the CA and of the client certificate and key.
	CAFile, ClientCertFile, ClientKeyFile string
}

// newTestPKI makes the material and writes the PEM files under dir.
func newTestPKI(dir string) (*testPKI, error) {
	ca, err := pki.NewCA("wsconform test CA")
	if err != nil {
		return nil, err
	}
	other, err := pki.NewCA("untrusted CA")
	if err != nil {
		return nil, err
	}
	server, err := ca.Server("127.0.0.1")
	if err != nil {
		return nil, err
	}
	client, err := ca.Client("client")
	if err != nil {
		return nil, err
	}
	untrusted, err := other.Server("127.0.0.1")
	if err != nil {
		return nil, err
	}
	paths, err := pki.WriteFiles(dir, map[string][]byte{
		"ca.pem":         ca.CertPEM,
		"client.pem":     client.CertPEM,
		"client-key.pem": client.KeyPEM,
	})
	if err != nil {
		return nil, err
	}
	return &testPKI{
		CAPool:         ca.Pool(),
		Server:         server.TLS(),
		Client:         client.TLS(),
		UntrustedPool:  other.Pool(),
		Untrusted:      untrusted.TLS(),
		CAFile:         paths["ca.pem"],
		ClientCertFile: paths["client.pem"],
		ClientKeyFile:  paths["client-key.pem"],
	}, nil
}
