package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// URIPrefix starts the URI SAN that names a node's participant.
const URIPrefix = "urn:kurultai:node:"

// File names in the CA and node directories.
const (
	CACertFile   = "ca.crt"
	CAKeyFile    = "ca.key"
	CRLFile      = "crl.pem"
	NodeCertFile = "node.crt"
	NodeKeyFile  = "node.key"
)

// The key algorithms.
const (
	AlgP256    = "p256"
	AlgEd25519 = "ed25519"
)

// Default validity periods.
const (
	DefaultCAValidity   = 10 * 365 * 24 * time.Hour
	DefaultNodeValidity = 2 * 365 * 24 * time.Hour
)

var participantCode = regexp.MustCompile(`^[A-Z]{2,10}$`)

// CA is the deployment certificate authority.
type CA struct {
	Cert *x509.Certificate
	key  crypto.Signer
	dir  string
}

// String names the CA without its key.
func (ca *CA) String() string { return "pki.CA{" + ca.Cert.Subject.CommonName + "}" }

// CAOptions configures InitCA.
type CAOptions struct {
	Name     string        // the CA's common name; default "Kurultai deployment CA"
	Alg      string        // AlgP256 (default) or AlgEd25519
	Validity time.Duration // default DefaultCAValidity
	Now      time.Time     // default time.Now()
	Rand     io.Reader     // default crypto/rand
}

// InitCA creates a CA in dir (made 0700 if missing): a self-signed
// certificate, its key and an empty CRL. It refuses to overwrite an
// existing CA.
func InitCA(dir string, o CAOptions) (*CA, error) {
	if o.Name == "" {
		o.Name = "Kurultai deployment CA"
	}
	if o.Validity <= 0 {
		o.Validity = DefaultCAValidity
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if _, err := os.Stat(filepath.Join(dir, CAKeyFile)); err == nil {
		return nil, fmt.Errorf("pki: init CA: %s already holds a CA key", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	key, err := newKey(o.Alg, o.Rand)
	if err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	serial, err := newSerial(o.Rand)
	if err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: o.Name, Organization: []string{"Kurultai"}},
		NotBefore:             o.Now.Add(-time.Minute),
		NotAfter:              o.Now.Add(o.Validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(o.Rand, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	ca := &CA{Cert: cert, key: key, dir: dir}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	if err := writeFile(filepath.Join(dir, CAKeyFile), keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	if err := writeFile(filepath.Join(dir, CACertFile), encodeCert(der), 0o644); err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	if err := ca.writeCRL(nil, o.Now, o.Rand); err != nil {
		return nil, fmt.Errorf("pki: init CA: %w", err)
	}
	return ca, nil
}

// LoadCA reads the CA of dir. The key file must be private to its owner.
func LoadCA(dir string) (*CA, error) {
	cert, err := ReadCert(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, fmt.Errorf("pki: load CA: %w", err)
	}
	key, err := readKey(filepath.Join(dir, CAKeyFile))
	if err != nil {
		return nil, fmt.Errorf("pki: load CA: %w", err)
	}
	if !samePublic(cert.PublicKey, key.Public()) {
		return nil, fmt.Errorf("pki: load CA: %s does not match %s", CAKeyFile, CACertFile)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("pki: load CA: %s is not a CA certificate", CACertFile)
	}
	return &CA{Cert: cert, key: key, dir: dir}, nil
}

// IssueOptions describes a node certificate.
type IssueOptions struct {
	Participant string        // the node's participant code
	Hosts       []string      // DNS names and IP addresses peers dial
	Alg         string        // AlgP256 (default) or AlgEd25519
	Validity    time.Duration // default DefaultNodeValidity
	Now         time.Time     // default time.Now()
	Rand        io.Reader     // default crypto/rand
}

// Issued is a new node certificate and its key, PEM-encoded.
type Issued struct {
	Cert    *x509.Certificate
	CertPEM []byte
	KeyPEM  []byte
}

// Issue makes a node certificate for o.Participant, valid for TLS server
// and client authentication.
func (ca *CA) Issue(o IssueOptions) (Issued, error) {
	if !participantCode.MatchString(o.Participant) {
		return Issued{}, fmt.Errorf("pki: issue: participant %q is not a participant code (2 to 10 letters A-Z)", o.Participant)
	}
	if o.Validity <= 0 {
		o.Validity = DefaultNodeValidity
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	key, err := newKey(o.Alg, o.Rand)
	if err != nil {
		return Issued{}, fmt.Errorf("pki: issue: %w", err)
	}
	serial, err := newSerial(o.Rand)
	if err != nil {
		return Issued{}, fmt.Errorf("pki: issue: %w", err)
	}
	u, _ := url.Parse(URIPrefix + o.Participant)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "kurultai-node-" + strings.ToLower(o.Participant), Organization: []string{"Kurultai"}},
		NotBefore:    o.Now.Add(-time.Minute),
		NotAfter:     o.Now.Add(o.Validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		URIs:         []*url.URL{u},
	}
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		tmpl.KeyUsage |= x509.KeyUsageKeyAgreement
	}
	for _, h := range o.Hosts {
		h = strings.TrimSpace(h)
		switch ip := net.ParseIP(h); {
		case h == "":
		case ip != nil:
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		default:
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	der, err := x509.CreateCertificate(o.Rand, tmpl, ca.Cert, key.Public(), ca.key)
	if err != nil {
		return Issued{}, fmt.Errorf("pki: issue: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Issued{}, fmt.Errorf("pki: issue: %w", err)
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return Issued{}, fmt.Errorf("pki: issue: %w", err)
	}
	return Issued{Cert: cert, CertPEM: encodeCert(der), KeyPEM: keyPEM}, nil
}

// WriteNode writes an issued certificate, its key and the CA certificate
// (and the CA's current CRL) into dir, the node's TLS directory.
func (ca *CA) WriteNode(dir string, is Issued) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki: write node: %w", err)
	}
	crl, err := os.ReadFile(filepath.Join(ca.dir, CRLFile))
	if err != nil {
		return fmt.Errorf("pki: write node: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{NodeKeyFile, is.KeyPEM, 0o600},
		{NodeCertFile, is.CertPEM, 0o644},
		{CACertFile, encodeCert(ca.Cert.Raw), 0o644},
		{CRLFile, crl, 0o644},
	} {
		if err := writeFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return fmt.Errorf("pki: write node: %w", err)
		}
	}
	return nil
}

// Revoke adds serial to the CA's CRL and writes the new CRL. Revoking a
// serial twice keeps one entry.
func (ca *CA) Revoke(serial *big.Int, now time.Time) error {
	entries, err := ca.revoked()
	if err != nil {
		return fmt.Errorf("pki: revoke: %w", err)
	}
	if !slices.ContainsFunc(entries, func(e x509.RevocationListEntry) bool { return e.SerialNumber.Cmp(serial) == 0 }) {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: serial, RevocationTime: now.UTC()})
	}
	if err := ca.writeCRL(entries, now, rand.Reader); err != nil {
		return fmt.Errorf("pki: revoke: %w", err)
	}
	return nil
}

// CRLPath is the CA's revocation list file.
func (ca *CA) CRLPath() string { return filepath.Join(ca.dir, CRLFile) }

func (ca *CA) revoked() ([]x509.RevocationListEntry, error) {
	data, err := os.ReadFile(ca.CRLPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	crl, err := ParseCRL(data, ca.Cert)
	if err != nil {
		return nil, err
	}
	return crl.RevokedCertificateEntries, nil
}

// writeCRL signs and writes a CRL listing entries. Its number is the time
// in nanoseconds, so that every new list has a greater one.
func (ca *CA) writeCRL(entries []x509.RevocationListEntry, now time.Time, random io.Reader) error {
	tmpl := &x509.RevocationList{
		Number:                    big.NewInt(now.UnixNano()),
		ThisUpdate:                now.UTC(),
		NextUpdate:                now.UTC().Add(365 * 24 * time.Hour),
		RevokedCertificateEntries: entries,
	}
	der, err := x509.CreateRevocationList(random, tmpl, ca.Cert, ca.key)
	if err != nil {
		return err
	}
	return writeFile(ca.CRLPath(), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644)
}

// ParseCRL reads a PEM (or DER) CRL and checks that ca signed it.
func ParseCRL(data []byte, ca *x509.Certificate) (*x509.RevocationList, error) {
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "X509 CRL" {
			return nil, fmt.Errorf("crl: PEM block is %q, want X509 CRL", b.Type)
		}
		der = b.Bytes
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("crl: %w", err)
	}
	if err := crl.CheckSignatureFrom(ca); err != nil {
		return nil, fmt.Errorf("crl: not signed by the CA: %w", err)
	}
	return crl, nil
}

// Participant returns the participant code a node certificate names.
func Participant(cert *x509.Certificate) (string, error) {
	var code string
	for _, u := range cert.URIs {
		c, ok := strings.CutPrefix(u.String(), URIPrefix)
		if !ok {
			continue
		}
		if code != "" || !participantCode.MatchString(c) {
			return "", errors.New("pki: certificate names no single valid participant")
		}
		code = c
	}
	if code == "" {
		return "", errors.New("pki: certificate names no participant (" + URIPrefix + "CODE)")
	}
	return code, nil
}

func newKey(alg string, random io.Reader) (crypto.Signer, error) {
	switch alg {
	case "", AlgP256:
		return ecdsa.GenerateKey(elliptic.P256(), random)
	case AlgEd25519:
		_, priv, err := ed25519.GenerateKey(random)
		return priv, err
	}
	return nil, fmt.Errorf("key algorithm %q is not %s or %s", alg, AlgP256, AlgEd25519)
}

func newSerial(random io.Reader) (*big.Int, error) {
	return rand.Int(random, new(big.Int).Lsh(big.NewInt(1), 127))
}

func encodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ReadCert reads the first certificate of a PEM file.
func ReadCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cert, nil
}

func readKey(path string) (crypto.Signer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has permissions %04o; a private key must be private to its owner (chmod 0600)", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: no PKCS #8 PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: unsupported key type", path)
	}
	return s, nil
}

func samePublic(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// writeFile writes data atomically: a synced temporary file renamed over
// path.
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
