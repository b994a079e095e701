-- The card half of the integration, one block per bounded context, and the
-- outbox through which contexts tell each other what happened. Keep in step
-- with ../sqlite/0008_cards.sql (a test compares the schemas).

-- Outbox: domain events, written in the same transaction as their cause;
-- seq is assigned under the audit-chain lock, so it is gap-free and ordered.
CREATE TABLE outbox (
    seq BIGINT PRIMARY KEY NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    CONSTRAINT outbox_id_key UNIQUE (id)
);
CREATE INDEX outbox_subject_idx ON outbox (subject_kind, subject_id);
-- Each subscriber's position, and the events it has applied (its handlers are
-- keyed by event id: delivered twice, changed once).
CREATE TABLE outbox_cursors (
    subscriber TEXT PRIMARY KEY NOT NULL,
    last_seq BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE outbox_deliveries (
    subscriber TEXT NOT NULL,
    event_id TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (subscriber, event_id)
);

-- Social security: one account per person for life (the permit number is the
-- person's lifetime identifier); the SSN is found by keyed hash only.
CREATE TABLE ss_accounts (
    id TEXT PRIMARY KEY NOT NULL,
    ssn_hmac TEXT NOT NULL,
    permit_number TEXT NOT NULL,
    employer_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    status TEXT NOT NULL,
    record_enc BYTEA NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT ss_accounts_ssn_key UNIQUE (ssn_hmac),
    CONSTRAINT ss_accounts_permit_key UNIQUE (permit_number)
);
CREATE INDEX ss_accounts_region_idx ON ss_accounts (region_code, created_at);
CREATE INDEX ss_accounts_employer_idx ON ss_accounts (employer_id, created_at);

-- Cards: one card per person that is not replaced (partial unique index);
-- the bank account is found by keyed hash only.
CREATE TABLE card_batches (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL,
    card_count BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    file_enc BYTEA NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    result_imported_at TEXT
);
CREATE TABLE cards (
    id TEXT PRIMARY KEY NOT NULL,
    card_number TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES ss_accounts (id),
    permit_number TEXT NOT NULL,
    employer_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    status TEXT NOT NULL,
    promised_by TEXT NOT NULL,
    batch_id TEXT REFERENCES card_batches (id),
    bank_hmac TEXT,
    status_index BIGINT NOT NULL,
    record_enc BYTEA NOT NULL,
    version BIGINT NOT NULL,
    applied_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT cards_number_key UNIQUE (card_number),
    CONSTRAINT cards_status_index_key UNIQUE (status_index)
);
CREATE UNIQUE INDEX cards_one_per_account ON cards (account_id) WHERE status <> 'replaced';
CREATE INDEX cards_region_status_idx ON cards (region_code, status, promised_by);
CREATE INDEX cards_permit_idx ON cards (permit_number);
CREATE INDEX cards_batch_idx ON cards (batch_id);
