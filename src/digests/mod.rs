//! Notifications for therapists and how they are batched into digests.
//! Patient activity never sends an e-mail by itself: it adds a notification,
//! in the same transaction, and the digest worker batches them per therapist
//! and patient at the cadence each therapist chooses.

mod notifications;
pub(crate) mod routes;
pub mod settings;

pub use notifications::{mark_seen, notify, NotificationKind};
pub use routes::{api_routes, page_routes};
