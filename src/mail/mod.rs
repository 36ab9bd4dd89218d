//! The mail outbox: messages are written in the same transaction as the
//! change that causes them, and a worker delivers them over SMTP (or, in
//! development, into a mailbox folder) with retries, backoff and a
//! dead-letter state an administrator can see and retry.

mod dev_mailbox;
pub mod outbox;
pub(crate) mod routes;
mod transport;

pub use outbox::{deliver_due, enqueue, DeliveryReport, Email};
pub use routes::routes;
pub use transport::Mailer;
