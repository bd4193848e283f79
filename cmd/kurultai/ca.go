package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/pki"
)

const caUsage = `ca init --dir CADIR [--name NAME] [--alg p256|ed25519]

Creates the deployment's certificate authority for the links between nodes:
CADIR/ca.crt, CADIR/ca.key (0600) and an empty revocation list CADIR/crl.pem.
Keep CADIR with the secretariat, offline if possible; every node needs
ca.crt and a certificate issued with 'kurultai cert issue'.`

const certUsage = `cert issue --ca CADIR --participant CODE --host HOST[,HOST...] (--data DIR | --out DIR) [--alg p256|ed25519] [--days N]
cert revoke --ca CADIR (--serial N | --cert FILE)
cert show --data DIR

issue   makes a node certificate for the participant's node, valid for the
        host names and IP addresses peers dial, and writes node.crt,
        node.key (0600), ca.crt and crl.pem into DIR/federation/tls (--data)
        or into --out.
revoke  adds a certificate to CADIR/crl.pem. Copy the new crl.pem into every
        node's federation/tls directory: nodes read it at each handshake and
        refuse the revoked certificate from then on.
show    prints a node's certificate: participant, serial, validity.`

func runCA(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "init" {
		fmt.Fprintln(stderr, "Usage: kurultai ca init --help")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errUsage
	}
	fs := newFlagSet("ca init", caUsage, stderr)
	dir := fs.String("dir", "", "the CA `directory` to create")
	name := fs.String("name", "", "the CA's common `name` (default \"Kurultai deployment CA\")")
	alg := fs.String("alg", pki.AlgP256, "key `algorithm`: p256 or ed25519")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--dir: required")
	}
	ca, err := pki.InitCA(*dir, pki.CAOptions{Name: *name, Alg: *alg})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s in %s (serial %s, valid until %s)\n", ca.Cert.Subject.CommonName, *dir, ca.Cert.SerialNumber, ca.Cert.NotAfter.UTC().Format(time.DateOnly))
	return nil
}

func runCert(_ context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	switch sub {
	case "issue", "revoke", "show":
	default:
		fmt.Fprintln(stderr, "Usage: kurultai cert issue|revoke|show --help")
		if sub == "--help" || sub == "-h" {
			return nil
		}
		return errUsage
	}
	fs := newFlagSet("cert "+sub, certUsage, stderr)
	caDir := fs.String("ca", "", "the CA `directory` (kurultai ca init)")
	data := fs.String("data", dataDefault(env), "data `directory` of the node (env KURULTAI_DATA)")
	out := fs.String("out", "", "write the certificate files into this `directory` instead of DATA/federation/tls")
	participant := fs.String("participant", "", "participant `code` of the node")
	hosts := fs.String("host", "", "host names and IP `addresses` peers dial, comma-separated")
	alg := fs.String("alg", pki.AlgP256, "key `algorithm`: p256 or ed25519")
	days := fs.Int("days", int(pki.DefaultNodeValidity/(24*time.Hour)), "validity in `days`")
	serial := fs.String("serial", "", "serial `number` of the certificate to revoke (decimal)")
	certFile := fs.String("cert", "", "certificate `file` to revoke")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	switch sub {
	case "show":
		cert, err := pki.ReadCert(filepath.Join(nodeTLSDir(*data), pki.NodeCertFile))
		if err != nil {
			return err
		}
		code, err := pki.Participant(cert)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "participant %s\nserial %s\nissuer %s\nvalid %s to %s\nhosts %s\n", code, cert.SerialNumber, cert.Issuer.CommonName,
			cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339), strings.Join(certHosts(cert.DNSNames, cert.IPAddresses), ", "))
		return nil
	case "issue":
		if *caDir == "" || *participant == "" || *hosts == "" {
			return errors.New("cert issue: --ca, --participant and --host are required")
		}
		if *days < 1 {
			return fmt.Errorf("--days: %d is not a positive number of days", *days)
		}
		ca, err := pki.LoadCA(*caDir)
		if err != nil {
			return err
		}
		is, err := ca.Issue(pki.IssueOptions{Participant: *participant, Hosts: strings.Split(*hosts, ","), Alg: *alg, Validity: time.Duration(*days) * 24 * time.Hour})
		if err != nil {
			return err
		}
		dir := *out
		if dir == "" {
			dir = nodeTLSDir(*data)
		}
		if err := ca.WriteNode(dir, is); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "issued the certificate of %s's node (serial %s, valid until %s) in %s\n", *participant, is.Cert.SerialNumber, is.Cert.NotAfter.UTC().Format(time.DateOnly), dir)
		return nil
	}
	// revoke
	if *caDir == "" || (*serial == "") == (*certFile == "") {
		return errors.New("cert revoke: --ca and one of --serial or --cert are required")
	}
	ca, err := pki.LoadCA(*caDir)
	if err != nil {
		return err
	}
	n := new(big.Int)
	if *certFile != "" {
		cert, err := pki.ReadCert(*certFile)
		if err != nil {
			return err
		}
		n = cert.SerialNumber
	} else if _, ok := n.SetString(*serial, 10); !ok {
		return fmt.Errorf("--serial: %q is not a decimal number", *serial)
	}
	if err := ca.Revoke(n, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked serial %s; copy %s into every node's federation/tls directory\n", n, ca.CRLPath())
	return nil
}

// nodeTLSDir is where a node keeps its federation certificate.
func nodeTLSDir(data string) string { return filepath.Join(data, "federation", "tls") }

func certHosts(dns []string, ips []net.IP) []string {
	out := append([]string(nil), dns...)
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out
}
