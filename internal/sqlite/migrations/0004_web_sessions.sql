-- 0004: web sessions, kept in the store so that every process of a node
-- knows them. A row is keyed by the SHA-256 of the session id; the id
-- itself (the cookie) is never stored. The CSRF token is derived from the
-- id by the web pages and not stored either. The principal is kept as it
-- was at sign-in: the pages compare it with the user's current row and end
-- the session when they differ.
CREATE TABLE web_sessions (
    hash        BLOB PRIMARY KEY CHECK (length(hash) = 32),
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    username    TEXT NOT NULL,
    participant TEXT NOT NULL,
    kind        TEXT NOT NULL,
    role        TEXT NOT NULL,
    created     INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Expiry sweeps delete by idle time or by age.
CREATE INDEX web_sessions_last_seen ON web_sessions(last_seen);
CREATE INDEX web_sessions_created ON web_sessions(created);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
