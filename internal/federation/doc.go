// Package federation replicates object versions between Kurultai nodes,
// each peer receiving exactly what its participant may see, over NATS
// JetStream and mutually authenticated TLS links.
//
// # Topology
//
// Each node runs a federation NATS server of its own (embedded, JetStream
// in DATA/federation/nats, every write synced) with one account per peer.
// Between two peers there is one leafnode link: the node that dials (by
// default the one whose participant code sorts first) connects to the
// other's TLS leafnode listener; the listener maps the dialler's
// certificate (its urn:kurultai:node:CODE name, see package pki) to that
// peer's account. The link joins the two accounts and nothing else, carries
// only the federation subject and reply inboxes (JetStream, KV and system
// APIs are denied in both directions), and serves both directions.
//
// # Subjects, streams, consumers
//
// A message for the node of participant X is published on "kfed.to.X" in
// the shared account. X's server holds, in its account of the sender, the
// stream FED_IN (work queue, file storage, deduplication by Nats-Msg-Id over
// ten minutes, bounded size, discard new when full so a full stream pushes
// back on the sender), and the durable pull consumer FED_STORE (explicit
// acks). A message is acknowledged to the sender by X's JetStream once it
// is synced to X's disk, and acknowledged to FED_IN by X's receiver only
// after the versions it carries are committed to X's store.
//
// # The outbox
//
// The store keeps a transactional outbox (migration 0003): triggers add one
// row per object version this node inserts or deletes, in the transaction
// that does it; versions received from peers make none, so a node sends
// only what it wrote and replication never loops. For each peer a sender
// reads the outbox from the peer's cursor (the last entry the peer's
// JetStream acknowledged, in the store), keeps the versions access.Decide
// lets the peer's participant see (as a liaison of that participant),
// builds batches and publishes them; the cursor moves only over a prefix of
// acknowledged batches. Message ids name the batch's first and last outbox
// seq, so a re-sent batch is dropped by JetStream, and storing a version
// twice is an idempotent success anyway.
//
// # Narrowing, deletes and tombstones
//
// The store records which objects each peer holds. When a newer version
// leaves a peer unable to see an object it holds, the peer is sent a
// tombstone (remove every version up to the newest it may no longer see)
// and the originator's audit log records that it was sent; a deleted
// version is sent as a delete. The receiver removes only versions brought
// by older messages and keeps the tombstone, so that a replayed older
// message cannot bring the object back; the outcome does not depend on the
// order in which messages arrive.
//
// # Receiving
//
// A message is refused, logged with the reason and acknowledged (so the
// link keeps going) when it does not parse, is too large, or names another
// sender or receiver than the link's. Each version in it is refused when
// its signature does not verify against the peer's pinned keys, when it is
// signed for another participant than the peer's (no node can pass off
// another member's objects), when it is predefined, or when this node's
// participant may not see it. The rest is stored with the peer's
// participant as originator, in one transaction per run of versions.
//
// # Progress
//
// Status reports, per peer, whether the link is up, how many outbox
// entries the peer has not acknowledged (behind), how many messages wait
// in FED_IN, and sending and receiving rates; the node writes it to
// DATA/federation/status.json every few seconds for 'kurultai peer status'
// and exports it as Prometheus metrics.
package federation
