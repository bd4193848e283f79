-- 0003: web sessions, kept in the store so that every process of a node
-- knows them. A row is keyed by the SHA-256 of the session id; the id
-- itself (the cookie) is never stored. The CSRF token is derived from the
-- id by the web pages and not stored either. The principal is kept as it
-- was at sign-in: the pages compare it with the user's current row and end
-- the session when they differ. Times are Unix nanoseconds, as elsewhere.
CREATE TABLE web_sessions (
    hash        bytea PRIMARY KEY CHECK (length(hash) = 32),
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    username    text NOT NULL,
    participant text NOT NULL,
    kind        text NOT NULL,
    role        text NOT NULL,
    created     bigint NOT NULL,
    last_seen   bigint NOT NULL
);

-- Expiry sweeps delete by idle time or by age.
CREATE INDEX web_sessions_last_seen ON web_sessions(last_seen);
CREATE INDEX web_sessions_created ON web_sessions(created);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
