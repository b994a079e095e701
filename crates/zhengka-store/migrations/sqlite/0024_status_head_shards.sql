-- status_head in shards: PostgreSQL only (see ../postgres/0024_status_head_shards.sql).
-- SQLite has one writer connection, whose batches commit one after the
-- other, so its one row is never waited for; readers take the sum of the
-- rows on both backends.
SELECT 1;
