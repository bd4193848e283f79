-- 0002: the audit log as an RFC 6962 Merkle tree, its signed checkpoints
-- and the witnesses' cosignatures (see internal/auditlog). The tree is
-- extended in the transaction that appends the entries, so a committed
-- entry is always a leaf.

-- audit_nodes holds the hash of every complete subtree: level 0 the leaves
-- (the leaf of audit_log row seq has idx seq - 1), and node (level, idx)
-- covers leaves idx * 2^level up to (idx + 1) * 2^level - 1. Proofs and
-- the roots of earlier sizes are read from here.
CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

-- Inclusion proofs can name a leaf by its hash.
CREATE INDEX audit_nodes_leaf ON audit_nodes(hash) WHERE level = 0;

-- audit_tree is one row: the tree's size and root, and the hashes of the
-- compact range [0, size) (the complete subtrees along its right edge, 32
-- bytes each, left to right) that the next append starts from.
CREATE TABLE audit_tree (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    size    INTEGER NOT NULL,
    root    BLOB NOT NULL,
    compact BLOB NOT NULL
) STRICT;

-- The empty tree's root is SHA-256 of nothing.
INSERT INTO audit_tree (id, size, root, compact)
VALUES (1, 0, X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', X'');

-- audit_checkpoints holds the signed checkpoints, one per tree size; note
-- is the signed note exactly as signed, time when it was signed (Unix ns).
CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    time INTEGER NOT NULL,
    note BLOB NOT NULL
) STRICT;

-- audit_cosignatures holds the verified cosignature lines of witnesses,
-- at most one per checkpoint and participant.
CREATE TABLE audit_cosignatures (
    size        INTEGER NOT NULL REFERENCES audit_checkpoints(size),
    participant TEXT NOT NULL,
    line        TEXT NOT NULL,
    time        INTEGER NOT NULL,
    PRIMARY KEY (size, participant)
) STRICT;

CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE ON audit_nodes
BEGIN
    SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;

CREATE TRIGGER audit_nodes_no_delete BEFORE DELETE ON audit_nodes
BEGIN
    SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;

CREATE TRIGGER audit_cosignatures_no_update BEFORE UPDATE ON audit_cosignatures
BEGIN
    SELECT RAISE(ABORT, 'audit_cosignatures is append-only');
END;

CREATE TRIGGER audit_cosignatures_no_delete BEFORE DELETE ON audit_cosignatures
BEGIN
    SELECT RAISE(ABORT, 'audit_cosignatures is append-only');
END;
