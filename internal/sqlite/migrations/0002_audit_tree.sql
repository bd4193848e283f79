-- 0002: the audit log as an RFC 6962 Merkle tree, its signed checkpoints
-- and the witnesses' cosignatures (see internal/auditlog). The tree is
-- extended in the transaction that appends the entries, so a committed
-- entry is always a leaf.

-- Each row keeps its leaf hash: SHA-256(0x00 || canonical entry), the
-- leaf of index seq - 1. NULL only for rows written before this migration,
-- until the node's next start fills it in.
ALTER TABLE audit_log ADD COLUMN leaf BLOB;

-- The log stays append-only; the one update allowed gives a row written
-- before this migration its leaf, once, changing nothing else.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.leaf IS NOT NULL OR NEW.leaf IS NULL
    OR NEW.seq IS NOT OLD.seq OR NEW.time IS NOT OLD.time OR NEW.username IS NOT OLD.username
    OR NEW.participant IS NOT OLD.participant OR NEW.action IS NOT OLD.action OR NEW.objects IS NOT OLD.objects
    OR NEW.query IS NOT OLD.query OR NEW.decision IS NOT OLD.decision OR NEW.detail IS NOT OLD.detail
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- audit_nodes holds the hash of every complete subtree above the leaves.
-- Node (level, index) covers leaves index * 2^level up to
-- (index + 1) * 2^level - 1; its id is its number in post-order, the
-- order in which nodes become complete as leaves are appended:
--   m = (index + 1) * 2^level, id = 2m - popcount(m) - 1 - (ctz(m) - level)
-- so every insert appends to the table.
CREATE TABLE audit_nodes (
    id   INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
) STRICT;

-- audit_tree is one row: the tree's size and root, the hashes of the
-- compact range [0, size) (the complete subtrees along its right edge, 32
-- bytes each, left to right) that the next append starts from, and the
-- last seq whose leaf is in audit_leaf_index.
CREATE TABLE audit_tree (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    size    INTEGER NOT NULL,
    root    BLOB NOT NULL,
    compact BLOB NOT NULL,
    indexed INTEGER NOT NULL
) STRICT;

-- The empty tree's root is SHA-256 of nothing.
INSERT INTO audit_tree (id, size, root, compact, indexed)
VALUES (1, 0, X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', X'', 0);

-- audit_leaf_index finds an entry by its leaf hash (inclusion proofs by
-- hash). It is filled in batches by the checkpoint worker, not by each
-- append: a random-key index written with every entry would cost every
-- request a page write. Lookups scan the few rows after audit_tree.indexed.
CREATE TABLE audit_leaf_index (
    leaf BLOB PRIMARY KEY,
    seq  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

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
