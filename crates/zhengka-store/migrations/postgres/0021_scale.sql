-- Scale (issue 12 C.2): status lists built from the entries that may not be
-- valid, and the indexes 10 million holders need. Keep in step with
-- ../sqlite/0021_scale.sql (a test compares the schemas).
--
-- status_entries.state is 'valid' only while the entry is its permit's current
-- period and the permit is valid (the permit write keeps it so, in the same
-- transaction). Any other value ('other': superseded, suspended, ended, and
-- rows written before this or imported) is read with its permit when a list is
-- built; so a list reads only the few entries that are not valid.
ALTER TABLE status_entries ADD COLUMN state TEXT NOT NULL DEFAULT 'other';
UPDATE status_entries SET state = 'valid' WHERE EXISTS (
    SELECT 1 FROM permits p WHERE p.permit_number = status_entries.permit_number
    AND p.status_index = status_entries.idx AND p.status = 'valid');
CREATE INDEX status_entries_not_valid_idx ON status_entries (idx) WHERE state <> 'valid';
-- Lists 2 and 3: only frozen or replaced cards and devices not valid are read.
CREATE INDEX cards_not_valid_idx ON cards (status_index) WHERE status IN ('frozen', 'replaced');
CREATE INDEX ecard_devices_not_valid_idx ON ecard_devices (status_index)
    WHERE credential_status <> 'valid';
-- The e-card read looks the card up by account (the unique index is partial).
CREATE INDEX cards_account_idx ON cards (account_id);
-- The reminder sweep reads only permits whose end or on-site check is near,
-- keyset-paged in these orders.
CREATE INDEX permits_valid_to_idx ON permits (valid_to, permit_number);
CREATE INDEX permits_onsite_due_idx ON permits (onsite_state, onsite_due_on, permit_number);
