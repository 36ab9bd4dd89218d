//! Notifications for therapists and how they are batched into digests.
//! Patient activity never sends an e-mail by itself: it adds a notification
//! and counts in a pending digest, in the same transaction, and the digest
//! worker sends each digest once, at the cadence each therapist chooses.
//! Risk answers are the exception: they are e-mailed at once.

mod centre;
pub mod delivery;
mod notifications;
pub mod patient_notices;
pub mod reminders;
pub(crate) mod routes;
pub mod settings;
pub mod urgent;
pub mod windows;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use delivery::{claim_due_digests, DigestReport};
pub use notifications::{mark_seen, notify, NotificationKind};
pub use patient_notices::{notice_patient, PatientNotice};
pub use routes::routes;

use crate::{error::AppResult, state::AppState};

/// What one round of notification work did.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct NotificationRound {
    pub digests: DigestReport,
    pub patient_notices: usize,
    pub diary_reminders: usize,
}

/// Everything due at `now`: therapist digests, patient notices, reminders.
/// The mail itself goes out through the outbox.
pub async fn run_due(state: &AppState, worker: &str, now: DateTime<Utc>) -> AppResult<NotificationRound> {
    Ok(NotificationRound {
        digests: delivery::send_due_digests(state, worker, now).await?,
        patient_notices: patient_notices::send_due_notices(state, worker, now).await?,
        diary_reminders: reminders::send_due_reminders(state, now).await?,
    })
}
