-- Personal data out of the clear, part two. Keep in step with the other dialect.
--
-- Idempotency records: the stored response (it may carry a passport number or a
-- name) and the request hash are sealed with the store key, bound to their row
-- (idempotency:{user_id}:{key}), and expire after 24 hours (expires_at). The old
-- rows held responses in clear; they are replay records only, so they are dropped
-- rather than converted: a retry of a request made before the upgrade is served
-- as a new request.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    status BIGINT NOT NULL,
    response_enc BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Material file names (they often carry a passport number) are sealed like the
-- bytes (materials:{id}:file_name). The store key is not known here, so after
-- this file the migration's data step (materials.rs, seal_clear_file_names)
-- seals every existing name into file_name_enc and drops the clear column, in
-- the same transaction.
ALTER TABLE materials ADD COLUMN file_name_enc BLOB;
