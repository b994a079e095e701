-- Offline gates of relying parties: each registered with the public key
-- (ALG:hex) that signs its log uploads. The gate id is unique across
-- organisations (an upload names only it); a revoked gate's uploads are
-- refused. An upload's guarded UPDATE of last_upload_at (WHERE revoked_at IS
-- NULL) takes the row in the upload's transaction, so a revocation and an
-- upload never interleave. Uploaded entries go to verification_log with the
-- id 'gate:<gate_id>:<entry id>' (its primary key makes a re-upload add
-- nothing). Keep in step with ../postgres/0019_gates.sql (a test compares the schemas).
CREATE TABLE gates (
    gate_id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES relying_parties (id),
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_upload_at TEXT
);
CREATE INDEX gates_organisation_idx ON gates (organisation_id, created_at);
