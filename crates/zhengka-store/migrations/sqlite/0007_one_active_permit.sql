-- One active permit per person, held by the database rather than by a check
-- before the write: two approvals racing for the same passport cannot both
-- commit. The predicate lists the terminal statuses (`PermitStatus::is_terminal`),
-- so any status added later counts as active until it is listed here.
-- A database that already holds two active permits for one passport fails here:
-- resolve them (cancel or revoke one, through the application) and migrate again.
CREATE UNIQUE INDEX permits_one_active_per_holder ON permits (passport_hmac)
WHERE status NOT IN ('expired', 'cancelled', 'revoked');
