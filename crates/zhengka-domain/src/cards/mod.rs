//! The cards context: the one physical card (identity, social security, work
//! permit, bank account), its production in batches, delivery, window
//! issuance, loss, freeze and replacement.

mod batch;
mod card;
mod events;
mod lifecycle;
mod numbers;

pub use batch::{BatchLine, LineError, ReturnLine, parse_return_file};
pub use card::{
    BankCode, Card, CardApplication, CardElements, CardEvent, Courier, DeliveryAddress, NewCard,
    Note, PROMISE_WORKING_DAYS, Phone, PostalAddress, Promise, Recipient, TrackingNumber, apply,
    replacement,
};
pub use events::{EventInput, record};
pub use lifecycle::{CardEventType, CardState, CardStatus, CredentialState, Handover, transition};
pub use numbers::{BankAccount, CardNumber, ChipSerial};

#[cfg(test)]
mod tests;
