-- The e-card context: registrations waiting for their real-person check,
-- holder accounts (one open account per person: partial unique index on the
-- permit number), the devices their card credential is bound to, and the
-- holder's notifications with their outside deliveries. Keep in step with
-- ../sqlite/0011_ecard.sql (a test compares the schemas).

-- A registration (or password reset) between the real-name and the
-- real-person step; the password is kept hashed only, the image never.
CREATE TABLE ecard_registrations (
    id TEXT PRIMARY KEY NOT NULL,
    permit_number TEXT NOT NULL,
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX ecard_registrations_expiry_idx ON ecard_registrations (status, expires_at);

CREATE TABLE ecard_holders (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    permit_number TEXT NOT NULL,
    status TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    CONSTRAINT ecard_holders_user_key UNIQUE (user_id)
);
CREATE UNIQUE INDEX ecard_holders_one_per_person ON ecard_holders (permit_number)
    WHERE status = 'active';
CREATE INDEX ecard_holders_created_idx ON ecard_holders (created_at, id);

-- A device key (COSE_Key bytes) and the status-list entry of the card
-- credential bound to it; credential_status is kept by the e-card context
-- from the permit's and the card's events and the device's own revocation.
CREATE TABLE ecard_devices (
    id TEXT PRIMARY KEY NOT NULL,
    holder_id TEXT NOT NULL REFERENCES ecard_holders (id),
    name TEXT NOT NULL,
    public_key BYTEA NOT NULL,
    status_index BIGINT NOT NULL,
    credential_status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CONSTRAINT ecard_devices_status_index_key UNIQUE (status_index)
);
CREATE INDEX ecard_devices_holder_idx ON ecard_devices (holder_id, created_at);

-- One row per (holder, kind, subject, due date): a sweep run twice notifies once.
CREATE TABLE ecard_notifications (
    id TEXT PRIMARY KEY NOT NULL,
    holder_id TEXT NOT NULL REFERENCES ecard_holders (id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_on TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    CONSTRAINT ecard_notifications_once UNIQUE (holder_id, kind, subject, due_on)
);
CREATE INDEX ecard_notifications_holder_idx ON ecard_notifications (holder_id, created_at);

-- Email/SMS through the configured webhook: retried with back-off, then dead.
CREATE TABLE ecard_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    notification_id TEXT NOT NULL REFERENCES ecard_notifications (id),
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    CONSTRAINT ecard_deliveries_once UNIQUE (notification_id)
);
CREATE INDEX ecard_deliveries_due_idx ON ecard_deliveries (status, next_attempt_at);
