// Package pki is the deployment's certificate authority for the links
// between Kurultai nodes: it creates the CA, issues node certificates,
// revokes them in a CRL, and builds the TLS configurations with which
// nodes authenticate each other (mutual TLS, TLS 1.3 only).
//
// # Certificates
//
// The CA and node keys are ECDSA P-256 (the default, understood by every
// TLS stack) or Ed25519. A node certificate names its participant in a URI
// subject alternative name, urn:kurultai:node:CODE (URIPrefix), and the
// host names and IP addresses at which peers reach it in DNS and IP SANs.
// It is valid for both TLS server and client authentication, because a
// federation link is dialled by one node and accepted by the other.
//
// # Refusals
//
// A peer is refused when its chain does not lead to the deployment CA
// (unknown CA), when its certificate is expired or not yet valid, when its
// serial number is in the CA's CRL (revoked), or, on the dialling side,
// when it names another participant than the one expected. The CRL is read
// from a file next to the node certificate whenever the file changes, so
// copying a new crl.pem into place takes effect on the next handshake. A
// CRL that does not parse or is not signed by the CA refuses every peer:
// failing closed is the only safe reading of a revocation list one cannot
// read.
//
// # Files
//
// CA directory (kept by the secretariat, offline if possible):
//
//	ca.crt   the CA certificate (PEM)
//	ca.key   its private key (PKCS #8 PEM, mode 0600)
//	crl.pem  the current revocation list, signed by ca.key
//
// Node directory (DATA/federation/tls):
//
//	node.crt  the node certificate (PEM)
//	node.key  its private key (PKCS #8 PEM, mode 0600)
//	ca.crt    the CA certificate
//	crl.pem   a copy of the CA's revocation list (optional)
package pki
