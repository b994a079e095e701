-- The verification log: who checked whose credential, when, why, and with
-- what result; never the QR nor the fields disclosed. The holder reads their
-- own entries, a relying party its organisation's, the admin all. Gates that
-- verified offline upload theirs later (offline = 1). Keep in step with
-- ../postgres/0016_verification_log.sql (a test compares the schemas).
CREATE TABLE verification_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    permit_number TEXT,
    organisation_id TEXT,
    organisation_name TEXT NOT NULL,
    verifier TEXT NOT NULL,
    purpose TEXT NOT NULL,
    credential_kind TEXT NOT NULL,
    result TEXT NOT NULL,
    reason TEXT,
    offline BIGINT NOT NULL
);
CREATE INDEX verification_log_holder_idx ON verification_log (permit_number, at);
CREATE INDEX verification_log_organisation_idx ON verification_log (organisation_id, at);
