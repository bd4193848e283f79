-- 0001: the exchange core. Times are Unix nanoseconds (UTC) unless a
-- column says otherwise; 0 or NULL stands for the zero time where noted.

CREATE TABLE participants (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    participant   TEXT NOT NULL REFERENCES participants(code),
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created       INTEGER NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE tokens (
    id      TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label   TEXT NOT NULL,
    hash    BLOB NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL -- 0: never
) STRICT;

CREATE INDEX tokens_user ON tokens(user_id);

-- seq is the compact key objects rows carry instead of the 36-byte UUID.
-- Collections are never deleted, so a seq never changes meaning.
CREATE TABLE collections (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    alias       TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX collections_alias ON collections(alias) WHERE alias <> '';

-- markings holds the marking-definitions the node understands. They are
-- immutable once stored.
CREATE TABLE markings (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    tlp           TEXT NOT NULL,    -- '' unless a TLP marking
    audience      TEXT,             -- JSON array of strings; NULL unless releasability
    releasability INTEGER NOT NULL
) STRICT;

-- objects holds every stored object version.
--
-- added is the date added in Unix microseconds, strictly increasing per
-- node: it is the rowid, the keyset cursor and the listing order at once.
-- AUTOINCREMENT keeps the high-water mark in sqlite_sequence, so a value
-- is never handed out twice even after the newest row is deleted.
--
-- marking_refs holds the object's own refs, comma-separated, with the
-- "marking-definition--" prefix dropped; eff_marking_refs is the effective
-- list in the same encoding, NULL when it equals marking_refs.
CREATE TABLE objects (
    added            INTEGER PRIMARY KEY AUTOINCREMENT,
    collection_seq   INTEGER NOT NULL REFERENCES collections(seq),
    id               TEXT NOT NULL,
    type             TEXT NOT NULL,
    spec_version     TEXT NOT NULL,
    version          TEXT NOT NULL,
    version_key      INTEGER NOT NULL,  -- version in Unix ns; 0 when version is ''
    created_ns       INTEGER,           -- NULL: no created
    modified_ns      INTEGER,           -- NULL: no modified
    revoked          INTEGER NOT NULL,
    originator       TEXT NOT NULL,
    marking_refs     TEXT NOT NULL,
    eff_marking_refs TEXT,
    is_first         INTEGER NOT NULL,
    is_last          INTEGER NOT NULL,
    raw              BLOB NOT NULL      -- last: scans that skip it never touch overflow pages
) STRICT;

-- Every index ends with the rowid (added), so each one delivers its
-- prefix's rows in added order and can seek straight to "added > cursor":
--   objects_coll:    (collection_seq, added)        the collection scan
--   objects_type:    (collection_seq, type, added)  match[type]
--   objects_version: (collection_seq, id, version_key) match[id], writes
CREATE INDEX objects_coll ON objects(collection_seq);
CREATE INDEX objects_type ON objects(collection_seq, type);
CREATE UNIQUE INDEX objects_version ON objects(collection_seq, id, version_key);

CREATE TABLE statuses (
    id           TEXT PRIMARY KEY,
    collection   TEXT NOT NULL,  -- collection id (UUID)
    owner        TEXT NOT NULL,  -- participant code
    status       TEXT NOT NULL,
    request_time INTEGER NOT NULL,
    successes    TEXT NOT NULL,  -- JSON arrays of {"id","version","message"}
    failures     TEXT NOT NULL,
    pendings     TEXT NOT NULL
) STRICT;

-- audit_log is append-only: the triggers refuse updates and deletes. Its
-- row encoding is meant to stay stable (the log will be hashed): time in
-- Unix ns, objects as a JSON array of {"id","version"} ('[]' when empty),
-- the other columns as the entry's strings.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    time        INTEGER NOT NULL,
    username    TEXT NOT NULL,
    participant TEXT NOT NULL,
    action      TEXT NOT NULL,
    objects     TEXT NOT NULL,
    query       TEXT NOT NULL,
    decision    TEXT NOT NULL,
    detail      TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
