//! End-to-end tests: a real server on a free port, a real HTTP client, a fresh
//! database per test, on SQLite always and on PostgreSQL when
//! `ZHENGKA_TEST_DATABASE_URL` is set. All in one binary (one link, one build).

mod fake_provider;
mod gates;
mod helpers;
#[path = "../support/tls_front.rs"]
mod tls_front;

mod accounts;
mod at_rest;
mod audit_trail;
mod authz;
mod bad_input;
mod bad_input_admin;
mod bad_input_fields;
mod bad_input_fuzz;
mod bad_input_onsite;
mod bad_input_queries;
mod bad_input_rules;
mod card_side;
mod cards;
mod checks;
mod credentials;
mod ecard;
mod ecard_devices;
mod ecard_holder;
mod ecard_race;
mod event_chain;
mod federation;
mod instances;
mod jobs;
mod journey;
mod kinds;
mod lists;
mod materials;
mod metrics;
mod nats;
mod notification_events;
mod notifications;
mod notify_webhook;
mod pdf_documents;
mod presentations;
mod race;
mod real_person;
mod relying_parties;
mod routing;
mod services;
mod sessions;
mod social_security;
mod status_cache;
mod tls;
mod totp;
mod webhooks;
