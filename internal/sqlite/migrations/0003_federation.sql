-- 0003: federation. Peers, the transactional outbox of locally written
-- object versions, what each peer was sent, and the tombstones received.

-- fed_peers: the nodes (kind 'node') and foreign TAXII servers (kind
-- 'taxii') this node exchanges objects with. cursor is the last outbox seq
-- the peer acknowledged; recv_seq the last outbox seq of the peer's own
-- that this node committed.
CREATE TABLE fed_peers (
    name        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    participant TEXT NOT NULL,
    url         TEXT NOT NULL,
    keys        TEXT NOT NULL,           -- the peer's key document (JSON); '' for taxii peers
    dial        TEXT NOT NULL,           -- 'auto', 'yes' or 'no'
    options     TEXT NOT NULL,           -- JSON object, kind-specific
    created     INTEGER NOT NULL,
    cursor      INTEGER NOT NULL DEFAULT 0,
    sent        INTEGER NOT NULL DEFAULT 0,  -- versions and tombstones acknowledged
    recv_seq    INTEGER NOT NULL DEFAULT 0,
    received    INTEGER NOT NULL DEFAULT 0,  -- versions and tombstones committed
    state       TEXT NOT NULL DEFAULT ''     -- kind-specific resume state (taxii pulls)
) STRICT;

CREATE UNIQUE INDEX fed_peers_participant ON fed_peers(participant) WHERE kind = 'node';

-- fed_outbox: one row per object version inserted or deleted by this node
-- itself, written by the triggers below in the transaction that wrote the
-- version. Versions received from peers are written while fed_replicating
-- holds a row, and make none.
CREATE TABLE fed_outbox (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    op             TEXT NOT NULL,       -- 'put' or 'delete'
    added          INTEGER NOT NULL,    -- objects.added of the version
    collection_seq INTEGER NOT NULL,
    id             TEXT NOT NULL,
    version_key    INTEGER NOT NULL
) STRICT;

CREATE TABLE fed_replicating (
    x INTEGER PRIMARY KEY
) STRICT;

-- fed_outbox_hw is the last objects.added the outbox has considered.
CREATE TABLE fed_outbox_hw (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    added INTEGER NOT NULL
) STRICT;

-- Every write of versions records one status, after its versions: the
-- trigger on statuses adds the versions above the high-water mark in one
-- statement per write. (A trigger on objects would fire per row and make
-- every insert keep a statement journal, a third more work per version.)
-- A replicated write moves the mark past its versions itself.
CREATE TRIGGER fed_outbox_put AFTER INSERT ON statuses
WHEN NOT EXISTS (SELECT 1 FROM fed_replicating)
BEGIN
    INSERT INTO fed_outbox (op, added, collection_seq, id, version_key)
    SELECT 'put', added, collection_seq, id, version_key FROM objects
    WHERE added > (SELECT added FROM fed_outbox_hw WHERE id = 1) ORDER BY added;
    UPDATE fed_outbox_hw SET added = max(added, (SELECT coalesce(max(added), 0) FROM objects)) WHERE id = 1;
END;

CREATE TRIGGER fed_outbox_delete AFTER DELETE ON objects
WHEN NOT EXISTS (SELECT 1 FROM fed_replicating)
BEGIN
    INSERT INTO fed_outbox (op, added, collection_seq, id, version_key)
    VALUES ('delete', OLD.added, OLD.collection_seq, OLD.id, OLD.version_key);
END;

-- Everything stored before federation existed was written here.
INSERT INTO fed_outbox (op, added, collection_seq, id, version_key)
SELECT 'put', added, collection_seq, id, version_key FROM objects ORDER BY added;
INSERT INTO fed_outbox_hw (id, added) VALUES (1, (SELECT coalesce(max(added), 0) FROM objects));

-- fed_sent: the objects each peer holds from this node, so that a newer
-- version that narrows the audience, or a delete, sends a tombstone only
-- to peers that had the object.
CREATE TABLE fed_sent (
    peer           TEXT NOT NULL REFERENCES fed_peers(name) ON DELETE CASCADE,
    collection_seq INTEGER NOT NULL,
    id             TEXT NOT NULL,
    PRIMARY KEY (peer, collection_seq, id)
) STRICT, WITHOUT ROWID;

-- fed_tombstones: removals a peer sent for its own objects. A version they
-- cover is refused when the message carrying it is older (seq) than the
-- tombstone: a replay cannot bring back what its originator withdrew.
-- exact = 0 covers every version up to version_key, exact = 1 that one.
CREATE TABLE fed_tombstones (
    participant    TEXT NOT NULL,
    collection_seq INTEGER NOT NULL,
    id             TEXT NOT NULL,
    version_key    INTEGER NOT NULL,
    exact          INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    PRIMARY KEY (participant, collection_seq, id, version_key, exact)
) STRICT, WITHOUT ROWID;

-- fed_received: the outbox seq of the peer message that brought each
-- replicated version, so that a tombstone removes only versions sent
-- before it, whatever order the messages arrive in.
CREATE TABLE fed_received (
    participant    TEXT NOT NULL,
    collection_seq INTEGER NOT NULL,
    id             TEXT NOT NULL,
    version_key    INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    PRIMARY KEY (participant, collection_seq, id, version_key)
) STRICT, WITHOUT ROWID;
