-- Status-list entries: one per credential period of a permit. The permit's
-- current entry follows the permit's status; earlier entries stay revoked, so a
-- Notice from a cancelled period never becomes valid again.
ALTER TABLE permits ADD COLUMN status_index BIGINT;

CREATE TABLE status_entries (
    idx BIGINT PRIMARY KEY NOT NULL,
    permit_number TEXT NOT NULL REFERENCES permits (permit_number),
    created_at TEXT NOT NULL
);
CREATE INDEX status_entries_permit_idx ON status_entries (permit_number);
