-- The verification context, continued: share codes a holder makes for one
-- check by an employer (single use, 24 h; only the SHA-256 of the code is
-- kept), the services a relying party records against a verified
-- presentation, and the people who verify for an organisation. Keep in step
-- with ../postgres/0017_share_codes_and_service_uses.sql (a test compares the schemas).
CREATE TABLE share_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    holder_id TEXT NOT NULL,
    permit_number TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by TEXT
);
CREATE INDEX share_codes_holder_idx ON share_codes (holder_id, created_at);
CREATE TABLE service_uses (
    id TEXT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    service_code TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    permit_number TEXT NOT NULL,
    note TEXT
);
CREATE UNIQUE INDEX service_uses_once_idx ON service_uses (verification_id, service_code);
CREATE INDEX service_uses_holder_idx ON service_uses (permit_number, at);
CREATE TABLE relying_party_members (
    user_id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX relying_party_members_org_idx ON relying_party_members (organisation_id);
