//! Storage stories for zhengka-store, all in one test binary.
//!
//! Every story runs on SQLite (a fresh file per test) and, when
//! `ZHENGKA_TEST_DATABASE_URL` names a PostgreSQL server, on a fresh PostgreSQL
//! database too. Each story is written once, against the `Store` trait.

mod applications;
mod attempts;
mod audit;
mod backends;
mod concurrency;
#[cfg(unix)]
mod files;
mod fixtures;
mod idempotency;
mod leases;
mod materials;
mod people;
mod permits;
mod schema;
mod status_lists;
mod transfer;
mod upgrade;
mod webhooks;
