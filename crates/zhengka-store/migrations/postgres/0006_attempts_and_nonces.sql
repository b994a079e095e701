-- Counted attempts (sign-in now, e-card registration later), one row per key
-- such as `signin:<username>`: in the database so that parallel requests, several
-- server instances and restarts all see the same count. The count starts again
-- once `window_ends` has passed; expired rows are swept by the hourly job.
CREATE TABLE attempts (
    attempt_key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    window_ends TEXT NOT NULL
);
CREATE INDEX attempts_window_ends_idx ON attempts (window_ends);

-- Presentation nonces each relying party has accepted, kept until the
-- presentation could no longer verify. The primary key refuses a replay inside
-- the write that records the verification, whichever instance receives it.
CREATE TABLE presentation_nonces (
    verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (verifier, nonce)
);
CREATE INDEX presentation_nonces_expires_at_idx ON presentation_nonces (expires_at);
