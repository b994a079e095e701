-- zhengka schema, SQLite dialect. Keep in step with ../postgres/0001_init.sql:
-- a test compares the two schemas table by table, column by column.
CREATE TABLE employers (
    id TEXT PRIMARY KEY NOT NULL,
    uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT employers_uscc_key UNIQUE (uscc)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    employer_id TEXT REFERENCES employers (id),
    region_code TEXT,
    created_at TEXT NOT NULL,
    CONSTRAINT users_username_key UNIQUE (username)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    employer_id TEXT NOT NULL REFERENCES employers (id),
    region_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    permit_number TEXT,
    passport_hmac TEXT,
    record_enc BLOB NOT NULL,
    decision_due_on TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX applications_employer_idx ON applications (employer_id, created_at);
CREATE INDEX applications_region_status_idx ON applications (region_code, status);

CREATE TABLE permits (
    permit_number TEXT PRIMARY KEY NOT NULL,
    employer_id TEXT NOT NULL REFERENCES employers (id),
    region_code TEXT NOT NULL,
    passport_hmac TEXT NOT NULL,
    status TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    record_enc BLOB NOT NULL,
    version BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX permits_passport_idx ON permits (passport_hmac);
CREATE INDEX permits_employer_idx ON permits (employer_id);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
