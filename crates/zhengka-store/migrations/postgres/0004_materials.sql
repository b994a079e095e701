-- Materials uploaded with an application (passport copy, contract...): the bytes
-- encrypted like other personal data, with the type found from the content.
CREATE TABLE materials (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data_enc BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX materials_application_idx ON materials (application_id, created_at);
