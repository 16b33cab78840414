package wsource_test

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

	// PEM files written by writeFiles.
	CAFile, ClientCertFile, ClientKeyFile string
}

// writeFiles writes the CA and the client certificate and key as PEM files
// under dir.
func (p *testPKI) writeFiles(dir string, ca *x509.Certificate) error {
	p.CAFile = filepath.Join(dir, "ca.pem")
	p.ClientCertFile = filepath.Join(dir, "client.pem")
	p.ClientKeyFile = filepath.Join(dir, "client-key.pem")
	keyDER, err := x509.MarshalPKCS8PrivateKey(p.Client.PrivateKey)
	if err != nil {
		return err
	}
	files := map[string]*pem.Block{
		p.CAFile:         {Type: "CERTIFICATE", Bytes: ca.Raw},
		p.ClientCertFile: {Type: "CERTIFICATE", Bytes: p.Client.Certificate[0]},
		p.ClientKeyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
	}
	for name, block := range files {
		if err := os.WriteFile(name, pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func newTestPKI(dir string) (*testPKI, error) {
	caCert, caKey, err := newCA("wsconform test CA")
	if err != nil {
		return nil, err
	}
	otherCert, otherKey, err := newCA("untrusted CA")
	if err != nil {
		return nil, err
	}
	server, err := newLeaf(caCert, caKey, "127.0.0.1", x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	client, err := newLeaf(caCert, caKey, "client", x509.ExtKeyUsageClientAuth)
	if err != nil {
		return nil, err
	}
	untrusted, err := newLeaf(otherCert, otherKey, "127.0.0.1", x509.ExtKeyUsageServerAuth)
	if err != nil {
		return nil, err
	}
	p := &testPKI{CAPool: x509.NewCertPool(), UntrustedPool: x509.NewCertPool(),
		Server: server, Client: client, Untrusted: untrusted}
	p.CAPool.AddCert(caCert)
	p.UntrustedPool.AddCert(otherCert)
	return p, p.writeFiles(dir, caCert)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	return n
}

func newCA(name string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func newLeaf(ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string, usage x509.ExtKeyUsage) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
