// Package pki makes X.509 certificates at run time for loopback TLS: a CA,
// server certificates for 127.0.0.1/::1/localhost, client certificates, and
// PEM files of them.
//
// Keys are ECDSA P-256. Every certificate is valid from an hour before it is
// made for one day, or as long as SetOptions.Validity says.
package pki

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
	"regexp"
	"slices"
	"strings"
	"time"
)

// Organization is the subject organization of every certificate made here.
const Organization = "wsconform"

// Validity is how long a certificate stays valid after it is made. Each one
// is also valid for an hour before, so that small clock differences between
// processes do not matter.
const Validity = 24 * time.Hour

// Cert is a certificate with its private key, in parsed and PEM form.
type Cert struct {
	// Certificate is the parsed certificate.
	Certificate *x509.Certificate
	// Key is its private key.
	Key *ecdsa.PrivateKey
	// CertPEM is the certificate as a PEM "CERTIFICATE" block.
	CertPEM []byte
	// KeyPEM is the key as a PEM "PRIVATE KEY" block (PKCS #8).
	KeyPEM []byte
}

// TLS returns the certificate and key for tls.Config.Certificates.
func (c *Cert) TLS() tls.Certificate {
	return tls.Certificate{
		Certificate: [][]byte{c.Certificate.Raw},
		PrivateKey:  c.Key,
		Leaf:        c.Certificate,
	}
}

// CA is a self-signed certificate authority that issues server and client
// certificates.
type CA struct {
	Cert
}

// NewCA makes a certificate authority with the common name name.
func NewCA(name string) (*CA, error) { return newCA(name, Validity) }

func newCA(name string, validity time.Duration) (*CA, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{Organization}},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	c, err := issue(tmpl, nil, validity)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: *c}, nil
}

// Pool returns a new pool holding only the CA certificate, for
// tls.Config.RootCAs or ClientCAs.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Certificate)
	return p
}

// Server issues a server certificate with the common name name, valid for
// 127.0.0.1, ::1 and localhost.
func (ca *CA) Server(name string) (*Cert, error) {
	return ca.Issue(name, x509.ExtKeyUsageServerAuth)
}

// Client issues a client certificate with the common name name.
func (ca *CA) Client(name string) (*Cert, error) {
	return ca.Issue(name, x509.ExtKeyUsageClientAuth)
}

// Issue issues a certificate with the common name name for the given extended
// key usages; with x509.ExtKeyUsageServerAuth among them it is valid for
// 127.0.0.1, ::1 and localhost.
func (ca *CA) Issue(name string, usages ...x509.ExtKeyUsage) (*Cert, error) {
	return ca.issueFor(name, Validity, usages...)
}

func (ca *CA) issueFor(name string, validity time.Duration, usages ...x509.ExtKeyUsage) (*Cert, error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name, Organization: []string{Organization}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: slices.Clone(usages),
	}
	if slices.Contains(usages, x509.ExtKeyUsageServerAuth) {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		tmpl.DNSNames = []string{"localhost"}
	}
	return issue(tmpl, &ca.Cert, validity)
}

// ServerFor issues a server certificate with the common name name, valid
// for 127.0.0.1, ::1, localhost and each of hosts (an IP address or a DNS
// name), for validity from now (0: Validity). A host that is neither makes
// an error naming it.
func (ca *CA) ServerFor(name string, hosts []string, validity time.Duration) (*Cert, error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name, Organization: []string{Organization}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:    []string{"localhost"},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(tmpl.IPAddresses, ip.Equal) {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
			continue
		}
		if !ValidHostName(h) {
			return nil, fmt.Errorf("certificate host %q: want an IP address or a DNS name (letters, digits, hyphens, dots)", h)
		}
		if !slices.Contains(tmpl.DNSNames, h) {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if validity == 0 {
		validity = Validity
	}
	return issue(tmpl, &ca.Cert, validity)
}

var hostLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// ValidHostName tells whether h is a DNS name a certificate may hold: dot
// separated labels of letters, digits and inner hyphens, at most 253
// characters.
func ValidHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if !hostLabel.MatchString(l) {
			return false
		}
	}
	return true
}

// WriteFiles writes each file's contents under dir with mode 0600, creating
// dir (mode 0700) when missing, and returns the paths by file name. Errors
// name the path.
func WriteFiles(dir string, files map[string][]byte) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create certificate directory %q: %w", dir, err)
	}
	paths := make(map[string]string, len(files))
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("write %q: %w", path, err)
		}
		paths[name] = path
	}
	return paths, nil
}

// issue signs tmpl with parent, or self-signs it when parent is nil, after
// giving it a fresh key, a random serial number and its validity: from an
// hour ago until validity from now.
func issue(tmpl *x509.Certificate, parent *Cert, validity time.Duration) (*Cert, error) {
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
	tmpl.NotAfter = now.Add(validity)
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.Certificate, parent.Key
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
	return &Cert{
		Certificate: cert,
		Key:         key,
		CertPEM:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}
