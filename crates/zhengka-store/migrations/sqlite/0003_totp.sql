-- Staff TOTP (RFC 6238): the secret encrypted like other personal data, whether it
-- is confirmed, and the last time step used (a code works once).
ALTER TABLE users ADD COLUMN totp_enc BLOB;
ALTER TABLE users ADD COLUMN totp_active BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
