package pki

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newCA makes a CA in a temporary directory.
func newCA(t *testing.T, alg string) *CA {
	t.Helper()
	ca, err := InitCA(filepath.Join(t.TempDir(), "ca"), CAOptions{Alg: alg, Now: t0})
	if err != nil {
		t.Fatalf("InitCA: %v", err)
	}
	return ca
}

// nodeDir issues a certificate for participant and writes a node directory.
func nodeDir(t *testing.T, ca *CA, participant, alg string, validity time.Duration) (string, Issued) {
	t.Helper()
	is, err := ca.Issue(IssueOptions{Participant: participant, Hosts: []string{"127.0.0.1", "localhost"}, Alg: alg, Validity: validity, Now: t0})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	dir := filepath.Join(t.TempDir(), strings.ToLower(participant))
	if err := ca.WriteNode(dir, is); err != nil {
		t.Fatalf("WriteNode: %v", err)
	}
	return dir, is
}

func loadNode(t *testing.T, dir string, now time.Time) *Node {
	t.Helper()
	n, err := LoadNode(dir, func() time.Time { return now })
	if err != nil {
		t.Fatalf("LoadNode: %v", err)
	}
	return n
}

// handshake runs a TLS handshake over a pipe between server and client
// configurations and returns each side's error.
func handshake(t *testing.T, server, client *tls.Config) (serverErr, clientErr error) {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	done := make(chan error, 1)
	go func() {
		s := tls.Server(a, server)
		err := s.Handshake()
		if err == nil {
			// TLS 1.3: the client learns of a refused certificate on its
			// first read, so give it something to read.
			_, err = s.Write([]byte("x"))
		}
		a.Close()
		done <- err
	}()
	c := tls.Client(b, client)
	clientErr = c.Handshake()
	if clientErr == nil {
		buf := make([]byte, 1)
		_, clientErr = c.Read(buf)
	}
	b.Close()
	return <-done, clientErr
}

// careless makes a client that accepts any server, as an intruder would.
func careless(c *tls.Config) *tls.Config {
	c.VerifyConnection = nil
	return c
}

func TestMutualTLS(t *testing.T) {
	for _, alg := range []string{AlgP256, AlgEd25519} {
		t.Run(alg, func(t *testing.T) {
			ca := newCA(t, alg)
			other := newCA(t, alg)
			kzDir, kzCert := nodeDir(t, ca, "KZ", alg, 0)
			secDir, _ := nodeDir(t, ca, "SEC", alg, 0)
			strangerDir, _ := nodeDir(t, other, "UZ", alg, 0)
			shortDir, _ := nodeDir(t, ca, "TR", alg, time.Hour)

			sec := loadNode(t, secDir, t0)
			if sec.Participant != "SEC" {
				t.Errorf("Participant = %q, want SEC", sec.Participant)
			}
			kz := loadNode(t, kzDir, t0)
			later := t0.Add(2 * time.Hour)
			tests := []struct {
				name       string
				server     *tls.Config
				client     *tls.Config
				wantServer string // substring of the server's error; "" for success
				wantClient string
			}{
				{"good", sec.ServerConfig(), kz.ClientConfig("SEC"), "", ""},
				{"client expects another participant", sec.ServerConfig(), kz.ClientConfig("UZ"), "", "not UZ"},
				{"unknown CA client", sec.ServerConfig(), careless(loadNode(t, strangerDir, t0).ClientConfig("SEC")), "not issued by the deployment CA", ""},
				{"unknown CA server", loadNode(t, strangerDir, t0).ServerConfig(), kz.ClientConfig("UZ"), "", "not issued by the deployment CA"},
				{"expired client", loadNode(t, secDir, later).ServerConfig(), loadNode(t, shortDir, t0).ClientConfig("SEC"), "expired", ""},
				{"expired server", loadNode(t, shortDir, t0).ServerConfig(), loadNode(t, kzDir, later).ClientConfig("TR"), "", "expired"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					serr, cerr := handshake(t, tt.server, tt.client)
					check := func(side string, err error, want string) {
						t.Helper()
						if want == "" {
							return
						}
						if err == nil || !strings.Contains(err.Error(), want) {
							t.Errorf("%s error = %v, want it to mention %q", side, err, want)
						}
					}
					if tt.wantServer == "" && tt.wantClient == "" && (serr != nil || cerr != nil) {
						t.Fatalf("handshake failed: server %v, client %v", serr, cerr)
					}
					if (tt.wantServer != "" || tt.wantClient != "") && serr == nil && cerr == nil {
						t.Fatal("handshake succeeded, want a refusal")
					}
					check("server", serr, tt.wantServer)
					check("client", cerr, tt.wantClient)
				})
			}

			// Revoking KZ: a new CRL copied to SEC refuses it; others pass.
			if err := ca.Revoke(kzCert.Cert.SerialNumber, t0); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			if err := ca.Revoke(kzCert.Cert.SerialNumber, t0); err != nil {
				t.Fatalf("Revoke again: %v", err)
			}
			crl, err := os.ReadFile(ca.CRLPath())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(secDir, CRLFile), crl, 0o644); err != nil {
				t.Fatal(err)
			}
			serr, _ := handshake(t, sec.ServerConfig(), kz.ClientConfig("SEC"))
			if serr == nil || !strings.Contains(serr.Error(), "revoked") {
				t.Errorf("revoked client: server error = %v, want revoked", serr)
			}
			tr := loadNode(t, shortDir, t0)
			if serr, cerr := handshake(t, sec.ServerConfig(), tr.ClientConfig("SEC")); serr != nil || cerr != nil {
				t.Errorf("unrevoked client refused: %v / %v", serr, cerr)
			}
			// A CRL that is not the CA's refuses everyone.
			bad, err := os.ReadFile(filepath.Join(filepath.Dir(other.CRLPath()), CRLFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(secDir, CRLFile), append(bad, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
			if serr, _ := handshake(t, sec.ServerConfig(), tr.ClientConfig("SEC")); serr == nil || !strings.Contains(serr.Error(), "refuses every peer") {
				t.Errorf("foreign CRL: server error = %v, want refusal of every peer", serr)
			}
		})
	}
}

func TestLoadCA(t *testing.T) {
	ca := newCA(t, "")
	dir := filepath.Dir(ca.CRLPath())
	got, err := LoadCA(dir)
	if err != nil {
		t.Fatalf("LoadCA: %v", err)
	}
	if !got.Cert.Equal(ca.Cert) {
		t.Error("LoadCA returned another certificate")
	}
	if _, err := InitCA(dir, CAOptions{}); err == nil {
		t.Error("InitCA over an existing CA succeeded")
	}
	if err := os.Chmod(filepath.Join(dir, CAKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCA(dir); err == nil || !strings.Contains(err.Error(), "permissions") {
		t.Errorf("LoadCA with a readable key = %v, want a permissions error", err)
	}
}

func TestIssueRefuses(t *testing.T) {
	ca := newCA(t, "")
	for _, o := range []IssueOptions{
		{Participant: "kz"},
		{Participant: ""},
		{Participant: "KZ", Alg: "rsa"},
	} {
		if _, err := ca.Issue(o); err == nil {
			t.Errorf("Issue(%+v) succeeded, want error", o)
		}
	}
	is, err := ca.Issue(IssueOptions{Participant: "KZ", Validity: 2 * DefaultCAValidity, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if is.Cert.NotAfter.After(ca.Cert.NotAfter) {
		t.Errorf("node certificate outlives its CA: %s > %s", is.Cert.NotAfter, ca.Cert.NotAfter)
	}
	if p, err := Participant(is.Cert); err != nil || p != "KZ" {
		t.Errorf("Participant = %q, %v; want KZ", p, err)
	}
}

func TestLoadNodeRefusesForeignCert(t *testing.T) {
	ca, other := newCA(t, ""), newCA(t, "")
	dir, _ := nodeDir(t, ca, "KZ", "", 0)
	// Replace the CA certificate with another CA's: the node certificate
	// no longer chains.
	data, err := os.ReadFile(filepath.Join(filepath.Dir(other.CRLPath()), CACertFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, CACertFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadNode(dir, func() time.Time { return t0 }); err == nil || !strings.Contains(err.Error(), "not issued") {
		t.Errorf("LoadNode = %v, want not issued by the CA", err)
	}
}
