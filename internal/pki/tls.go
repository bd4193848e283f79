package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Node is a node's TLS identity: its certificate and key, the CA it
// trusts and the revocation list it honours.
type Node struct {
	// Participant is the participant code the certificate names.
	Participant string
	cert        tls.Certificate
	leaf        *x509.Certificate
	ca          *x509.Certificate
	pool        *x509.CertPool
	crlPath     string
	now         func() time.Time

	mu      sync.Mutex // guards the CRL cache below
	crlMod  time.Time
	crlSize int64
	revoked map[string]bool // serial (decimal) → revoked
	crlErr  error
}

// LoadNode reads dir (node.crt, node.key, ca.crt, optional crl.pem). now
// is the clock used for validity checks (nil: time.Now). It refuses a node
// certificate that the CA did not issue, that names no participant or
// that is not valid at now.
func LoadNode(dir string, now func() time.Time) (*Node, error) {
	if now == nil {
		now = time.Now
	}
	ca, err := ReadCert(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, fmt.Errorf("pki: load node: %w", err)
	}
	if _, err := readKey(filepath.Join(dir, NodeKeyFile)); err != nil {
		return nil, fmt.Errorf("pki: load node: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, NodeCertFile), filepath.Join(dir, NodeKeyFile))
	if err != nil {
		return nil, fmt.Errorf("pki: load node: %w", err)
	}
	n := &Node{cert: cert, leaf: cert.Leaf, ca: ca, pool: x509.NewCertPool(), crlPath: filepath.Join(dir, CRLFile), now: now}
	n.pool.AddCert(ca)
	if n.leaf == nil {
		if n.leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("pki: load node: %w", err)
		}
	}
	if n.Participant, err = Participant(n.leaf); err != nil {
		return nil, fmt.Errorf("pki: load node: %w", err)
	}
	if err := n.verify(n.leaf, nil, x509.ExtKeyUsageAny); err != nil {
		return nil, fmt.Errorf("pki: load node: own certificate: %w", err)
	}
	return n, nil
}

// Leaf returns the node's certificate.
func (n *Node) Leaf() *x509.Certificate { return n.leaf }

// ServerConfig is the TLS configuration of the side that accepts links:
// it requires a client certificate from the deployment CA, valid now and
// not revoked.
func (n *Node) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{n.cert},
		ClientAuth:   tls.RequireAnyClientCert,
		// The chain, the time (the injected clock) and the CRL are checked
		// in VerifyConnection, with the same rules as on the dialling side.
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("pki: peer sent no certificate")
			}
			_, err := n.check(cs.PeerCertificates, x509.ExtKeyUsageClientAuth)
			return err
		},
	}
}

// ClientConfig is the TLS configuration of the side that dials a link to
// the node of participant peer: the server must present a certificate of
// the deployment CA, valid now, not revoked and naming peer.
func (n *Node) ClientConfig(peer string) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{n.cert},
		// The chain, the time, the CRL and the participant are checked in
		// VerifyConnection; host names are not what identifies a node.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("pki: peer sent no certificate")
			}
			got, err := n.check(cs.PeerCertificates, x509.ExtKeyUsageServerAuth)
			if err != nil {
				return err
			}
			if got != peer {
				return fmt.Errorf("pki: the peer's certificate is for participant %s, not %s", got, peer)
			}
			return nil
		},
	}
}

// check verifies a peer's chain and returns the participant it names.
func (n *Node) check(chain []*x509.Certificate, usage x509.ExtKeyUsage) (string, error) {
	if err := n.verify(chain[0], chain[1:], usage); err != nil {
		return "", err
	}
	return Participant(chain[0])
}

// verify checks cert against the CA at the node's clock, then the CRL.
func (n *Node) verify(cert *x509.Certificate, inter []*x509.Certificate, usage x509.ExtKeyUsage) error {
	ipool := x509.NewCertPool()
	for _, c := range inter {
		ipool.AddCert(c)
	}
	now := n.now()
	_, err := cert.Verify(x509.VerifyOptions{Roots: n.pool, Intermediates: ipool, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{usage}})
	if err != nil {
		var inv x509.CertificateInvalidError
		var ua x509.UnknownAuthorityError
		switch {
		case errors.As(err, &inv) && inv.Reason == x509.Expired:
			return fmt.Errorf("pki: certificate %s expired or not yet valid at %s (valid %s to %s)",
				cert.Subject.CommonName, now.UTC().Format(time.RFC3339), cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
		case errors.As(err, &ua):
			return fmt.Errorf("pki: certificate %s is not issued by the deployment CA", cert.Subject.CommonName)
		}
		return fmt.Errorf("pki: certificate %s: %w", cert.Subject.CommonName, err)
	}
	revoked, err := n.revokedSet()
	if err != nil {
		return err
	}
	if revoked[cert.SerialNumber.String()] {
		return fmt.Errorf("pki: certificate %s (serial %s) is revoked", cert.Subject.CommonName, cert.SerialNumber)
	}
	return nil
}

// revokedSet returns the serials of the CRL file, reading it again when
// its size or modification time changed. No file means nothing revoked.
func (n *Node) revokedSet() (map[string]bool, error) {
	fi, err := os.Stat(n.crlPath)
	n.mu.Lock()
	defer n.mu.Unlock()
	if errors.Is(err, fs.ErrNotExist) {
		n.revoked, n.crlErr, n.crlMod, n.crlSize = nil, nil, time.Time{}, 0
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pki: crl: %w", err)
	}
	if n.crlMod.Equal(fi.ModTime()) && n.crlSize == fi.Size() && (n.revoked != nil || n.crlErr != nil) {
		return n.revoked, n.crlErr
	}
	n.crlMod, n.crlSize = fi.ModTime(), fi.Size()
	data, err := os.ReadFile(n.crlPath)
	if err != nil {
		n.revoked, n.crlErr = nil, fmt.Errorf("pki: crl: %w", err)
		return nil, n.crlErr
	}
	crl, err := ParseCRL(data, n.ca)
	if err != nil {
		n.revoked, n.crlErr = nil, fmt.Errorf("pki: %s refuses every peer: %w", n.crlPath, err)
		return nil, n.crlErr
	}
	set := make(map[string]bool, len(crl.RevokedCertificateEntries))
	for _, e := range crl.RevokedCertificateEntries {
		set[e.SerialNumber.String()] = true
	}
	n.revoked, n.crlErr = set, nil
	return set, nil
}
