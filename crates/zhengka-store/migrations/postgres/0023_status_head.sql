-- The status lists' change counter (issue 12 C.2). The lists were rebuilt
-- whenever the audit head moved, that is after any write: at 10 million
-- holders a rebuild reads 400,000 entries (5 s), and every online check
-- (itself a write: its log row) made the next one wait for it. status_head
-- moves only with what a list is made of, from triggers, so that no write
-- path can forget it; a list whose counter has not moved is re-signed
-- without reading the entries. Keep in step with ../sqlite/0023_status_head.sql.
CREATE TABLE status_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL
);
INSERT INTO status_head (id, seq) VALUES (1, 0);
CREATE FUNCTION status_head_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_head SET seq = seq + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
-- Once per statement (a COPY or a multi-row write moves it once).
CREATE TRIGGER status_entries_moved AFTER INSERT OR DELETE OR UPDATE OF idx, state, permit_number
    ON status_entries FOR EACH STATEMENT EXECUTE FUNCTION status_head_bump();
CREATE TRIGGER permits_status_moved AFTER INSERT OR DELETE OR UPDATE OF status, status_index
    ON permits FOR EACH STATEMENT EXECUTE FUNCTION status_head_bump();
CREATE TRIGGER cards_status_moved AFTER INSERT OR DELETE OR UPDATE OF status, status_index
    ON cards FOR EACH STATEMENT EXECUTE FUNCTION status_head_bump();
CREATE TRIGGER ecard_devices_status_moved AFTER INSERT OR DELETE
    OR UPDATE OF credential_status, status_index
    ON ecard_devices FOR EACH STATEMENT EXECUTE FUNCTION status_head_bump();
