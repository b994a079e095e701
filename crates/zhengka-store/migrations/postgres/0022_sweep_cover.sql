-- The reminder sweep reads its pages from indexes alone (issue 12 C.2): at
-- 10 million holders the tables do not fit in memory and a heap read per
-- candidate made the sweep wait on the disk. Keep in step with
-- ../sqlite/0022_sweep_cover.sql (a test compares the schemas: PostgreSQL's
-- INCLUDE columns are SQLite's trailing key columns).
DROP INDEX permits_valid_to_idx;
CREATE INDEX permits_valid_to_idx ON permits (valid_to, permit_number)
    INCLUDE (status, onsite_state, onsite_due_on);
DROP INDEX permits_onsite_due_idx;
CREATE INDEX permits_onsite_due_idx ON permits (onsite_state, onsite_due_on, permit_number)
    INCLUDE (status, valid_to);
CREATE INDEX ecard_holders_active_permit_idx ON ecard_holders (permit_number) INCLUDE (id)
    WHERE status = 'active';
