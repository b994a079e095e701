-- The status lists' change counter (issue 12 C.2). The lists were rebuilt
-- whenever the audit head moved, that is after any write: at 10 million
-- holders a rebuild reads 400,000 entries (5 s), and every online check
-- (itself a write: its log row) made the next one wait for it. status_head
-- moves only with what a list is made of, from triggers, so that no write
-- path can forget it; a list whose counter has not moved is re-signed
-- without reading the entries. Keep in step with ../postgres/0023_status_head.sql.
CREATE TABLE status_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL
);
INSERT INTO status_head (id, seq) VALUES (1, 0);
CREATE TRIGGER status_entries_status_inserted AFTER INSERT ON status_entries
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER status_entries_status_deleted AFTER DELETE ON status_entries
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER status_entries_status_updated AFTER UPDATE OF idx, state, permit_number ON status_entries
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER permits_status_inserted AFTER INSERT ON permits
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER permits_status_deleted AFTER DELETE ON permits
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER permits_status_updated AFTER UPDATE OF status, status_index ON permits
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER cards_status_inserted AFTER INSERT ON cards
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER cards_status_deleted AFTER DELETE ON cards
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER cards_status_updated AFTER UPDATE OF status, status_index ON cards
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER ecard_devices_status_inserted AFTER INSERT ON ecard_devices
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER ecard_devices_status_deleted AFTER DELETE ON ecard_devices
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
CREATE TRIGGER ecard_devices_status_updated AFTER UPDATE OF credential_status, status_index ON ecard_devices
BEGIN UPDATE status_head SET seq = seq + 1 WHERE id = 1; END;
