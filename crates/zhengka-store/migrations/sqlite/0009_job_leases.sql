-- One row per background job (deadline sweep, outbox dispatch, ...): the
-- instance that holds it runs the job until `expires_at`, renewing it each
-- period, so several `serve` processes on one database run each job once.
-- A holder that dies stops renewing; another instance takes the job over once
-- the lease has expired. Not exported: leases mean nothing in another database.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
