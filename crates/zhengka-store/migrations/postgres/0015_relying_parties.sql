-- The verification context's registry of relying parties and their API
-- credentials (the secret kept as a SHA-256 hash only). Keep in step with
-- ../sqlite/0015_relying_parties.sql (a test compares the schemas).
CREATE TABLE relying_parties (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    region_code TEXT NOT NULL,
    purposes TEXT NOT NULL,
    rate_limit_per_minute BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE rp_credentials (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES relying_parties (id),
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX rp_credentials_organisation_idx ON rp_credentials (organisation_id, created_at);
