-- 0002: the audit log as an RFC 6962 Merkle tree, its signed checkpoints
-- and the witnesses' cosignatures (see internal/auditlog), as in the
-- SQLite store. The tree is extended in the transaction that appends the
-- entries, under the write_state lock, so a committed entry is always a
-- leaf.

-- Each row keeps its leaf hash: SHA-256(0x00 || canonical entry), the
-- leaf of index seq - 1. NULL only for rows written before this migration,
-- until the node's next start fills it in.
ALTER TABLE audit_log ADD COLUMN leaf bytea;

-- Inclusion proofs can name a leaf by its hash.
CREATE INDEX audit_log_leaf ON audit_log(leaf);

-- The log stays append-only; the one update allowed gives a row written
-- before this migration its leaf, once, changing nothing else.
DROP TRIGGER audit_log_no_update ON audit_log;

CREATE FUNCTION audit_log_leaf_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.leaf IS NOT NULL OR NEW.leaf IS NULL
        OR (NEW.seq, NEW.time, NEW.username, NEW.participant, NEW.action, NEW.objects, NEW.query, NEW.decision, NEW.detail)
            IS DISTINCT FROM
           (OLD.seq, OLD.time, OLD.username, OLD.participant, OLD.action, OLD.objects, OLD.query, OLD.decision, OLD.detail)
    THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_leaf_once();

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

-- audit_nodes holds the hash of every complete subtree above the leaves,
-- keyed by its number in post-order (auditlog.PostOrder), the order in
-- which nodes become complete as leaves are appended.
CREATE TABLE audit_nodes (
    id   bigint PRIMARY KEY,
    hash bytea NOT NULL
);

-- audit_tree is one row: the tree's size and root, and the hashes of the
-- compact range [0, size) (the complete subtrees along its right edge, 32
-- bytes each, left to right) that the next append starts from.
CREATE TABLE audit_tree (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    size    bigint NOT NULL,
    root    bytea NOT NULL,
    compact bytea NOT NULL
);

-- The empty tree's root is SHA-256 of nothing.
INSERT INTO audit_tree (size, root, compact)
VALUES (0, '\xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '\x');

-- audit_checkpoints holds the signed checkpoints, one per tree size; note
-- is the signed note exactly as signed, time when it was signed (Unix ns).
CREATE TABLE audit_checkpoints (
    size bigint PRIMARY KEY,
    root bytea NOT NULL,
    time bigint NOT NULL,
    note bytea NOT NULL
);

-- audit_cosignatures holds the verified cosignature lines of witnesses,
-- at most one per checkpoint and participant.
CREATE TABLE audit_cosignatures (
    size        bigint NOT NULL REFERENCES audit_checkpoints(size),
    participant text NOT NULL,
    line        text NOT NULL,
    time        bigint NOT NULL,
    PRIMARY KEY (size, participant)
);

CREATE TRIGGER audit_nodes_append_only BEFORE UPDATE OR DELETE ON audit_nodes
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_nodes_no_truncate BEFORE TRUNCATE ON audit_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_cosignatures_append_only BEFORE UPDATE OR DELETE ON audit_cosignatures
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_cosignatures_no_truncate BEFORE TRUNCATE ON audit_cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
