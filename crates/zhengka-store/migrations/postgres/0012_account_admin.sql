-- Accounts an admin switched off (sign-in and sessions refused while a row
-- is here), and one-time password reset links: only the SHA-256 of the
-- link's token is stored, as for sessions. Resets are not exported: a link
-- means nothing in another database.
CREATE TABLE user_blocks (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    blocked_at TEXT NOT NULL
);
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
