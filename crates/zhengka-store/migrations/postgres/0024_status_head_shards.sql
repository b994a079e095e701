-- status_head in shards (issue 12 C.1). Every permit, card and device write
-- moves the counter from a trigger, and on PostgreSQL that row's lock is held
-- to the commit: the group-committed batch that begins while the one before
-- it is still committing (write_tx.rs) waited there with its first approval.
-- Each batch now moves the row its transaction names (SET LOCAL
-- zhengka.status_shard, the batch's number modulo 8), other writers row 1;
-- readers take the sum, which moves whenever any row does. A setting out of
-- range still lands on a row (the modulo), so no change is ever uncounted.
INSERT INTO status_head (id, seq) SELECT g, 0 FROM generate_series(2, 8) AS g;
CREATE OR REPLACE FUNCTION status_head_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_head SET seq = seq + 1
     WHERE id = 1 + abs(COALESCE(NULLIF(current_setting('zhengka.status_shard', true), '')::BIGINT, 0)) % 8;
    RETURN NULL;
END
$$;
