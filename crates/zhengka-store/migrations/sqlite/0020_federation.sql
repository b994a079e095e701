-- Region federation: the peer regions this deployment pins (by their trust
-- anchor) and the lists last accepted from each, as signed (base64 of the
-- COSE bytes). A list replaces the stored one only when newer: the trust
-- list by its seq, a status list by its iat. Keep in step with
-- ../postgres/0020_federation.sql (a test compares the schemas).
CREATE TABLE federation_peers (
    id TEXT PRIMARY KEY NOT NULL,
    region_code TEXT NOT NULL,
    name TEXT NOT NULL,
    anchor TEXT NOT NULL,
    url TEXT,
    max_age_seconds BIGINT NOT NULL,
    trust_list TEXT,
    trust_seq BIGINT,
    fetched_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX federation_peers_region ON federation_peers (region_code);
CREATE TABLE federation_status_lists (
    peer_id TEXT NOT NULL REFERENCES federation_peers (id),
    uri TEXT NOT NULL,
    token TEXT NOT NULL,
    iat BIGINT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (peer_id, uri)
);
