// Package auditlog makes the node's audit log tamper-evident: its entries
// are the leaves of an RFC 6962 Merkle tree, the node signs checkpoints of
// the tree in the C2SP signed-note format, and anyone holding the node's
// public keys can check from outside that the log only ever grew.
//
// The package holds the formats and the checks, the checkpoint worker and
// the HTTP API; the store keeps the rows, the tree's nodes and the
// checkpoints (see internal/sqlite), and maintains the tree in the same
// transaction as every append. docs/TRUST.md describes the formats for
// people writing their own verifiers.
//
// # Leaves
//
// Entry n (leaf index n, sequence number n+1) is hashed as
// SHA-256(0x00 || leaf) where leaf is the RFC 8785 canonical JSON of the
// entry with its sequence number (AppendLeaf). Interior nodes are
// SHA-256(0x01 || left || right), as in RFC 6962.
//
// # Checkpoints and cosignatures
//
// A checkpoint is a signed note (c2sp.org/signed-note) whose text is the
// origin "kurultai/<participant>/audit", the tree size and the base64
// root hash (c2sp.org/tlog-checkpoint). The node's Ed25519 key signs it
// under the key name equal to the origin. Witnesses cosign checkpoints
// with Ed25519 cosignature/v1 signatures (c2sp.org/tlog-cosignature) under
// the key name "kurultai/<participant>/witness".
//
// # Verification
//
// VerifyLog recomputes the tree from the stored rows and checks it against
// the recorded leaves, the recorded tree head and every signed checkpoint,
// naming the first entry that does not match. CheckRemote does what a
// remote auditor can: verify a checkpoint's signature, its consistency
// with an earlier one, and the inclusion of given entries. Witness adds a
// cosignature after the same checks.
package auditlog
