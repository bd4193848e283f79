// Package kurultai holds the domain of the Kurultai node: participants and
// principals, STIX object versions and markings as the store sees them, the
// store, audit and bus interfaces, and the error codes every adapter maps to
// its own protocol. It imports no other package of this module, so every
// adapter (sqlite, taxii, natsbus, ...) can depend on it and on nothing else
// of ours.
package kurultai
