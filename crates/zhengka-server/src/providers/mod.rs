//! Clients of services outside by nature, spoken to over their documented
//! protocols (tests run fake servers of them).

pub mod nats;
pub mod notify_webhook;
pub mod outgoing;
pub mod real_person;
pub mod signing;

/// The outside services this deployment is configured with.
#[derive(Debug, Default)]
pub struct Providers {
    /// Without one, the real-person step answers `503 real_person_unavailable`.
    pub real_person: Option<real_person::RealPersonProvider>,
    /// Without one, notifications stay in-app (their deliveries wait).
    pub notify_webhook: Option<notify_webhook::NotifyWebhook>,
    /// With one (`--nats-url`), every outbox event is also published to
    /// JetStream; without, nothing is (no cursor moves).
    pub nats: Option<nats::Nats>,
    /// The clients of the agency webhooks and the peer regions (TLS trusting
    /// the platform's roots, and the operator's CA file when given).
    pub outgoing: outgoing::Outgoing,
}
