//! Background work: digests and notices, mail delivery and housekeeping. `icbt serve` runs it
//! beside the web server; `icbt worker` runs only this. Any number of workers
//! may run against one database: every job claims its rows first.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::{
    auth::{sessions, throttle},
    digests::{self, NotificationRound},
    error::AppResult,
    mail::{self, Mailer},
    state::AppState,
};

/// What one round of background work did.
#[derive(Clone, Copy, Debug, Default)]
pub struct RoundReport {
    pub notifications: NotificationRound,
    pub mail: mail::DeliveryReport,
}

/// How often the worker looks for due work.
const POLL: Duration = Duration::from_secs(5);

/// A name for this worker process, stored with its leases.
pub fn worker_name() -> String {
    format!("{}-{}", std::process::id(), &crate::ids::new_secret()[..8])
}

/// Runs until `shutdown` is cancelled; a failing round is logged and retried.
pub async fn run(state: AppState, shutdown: CancellationToken) -> anyhow::Result<()> {
    let mailer = Mailer::from_settings(&state.settings.mail)?;
    let name = worker_name();
    tracing::info!(worker = %name, "background worker started");
    loop {
        if let Err(e) = run_once(&state, &mailer, &name).await {
            tracing::error!(error = %e, "background round failed");
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(POLL) => {}
        }
    }
    tracing::info!(worker = %name, "background worker stopped");
    Ok(())
}

/// One round of every job, as the worker loop and `icbt digest run` do it:
/// digests and notices first, so their mail goes out in the same round.
pub async fn run_once(state: &AppState, mailer: &Mailer, name: &str) -> AppResult<RoundReport> {
    let notifications = digests::run_due(state, name, state.clock.now()).await?;
    let mail = mail::deliver_due(state, mailer, name).await?;
    let report = RoundReport { notifications, mail };
    let now = state.clock.now();
    let tz = state.settings.care.timezone;
    crate::usage::feedback_due::record_due_feedback(&state.db, tz, now).await?;
    crate::questionnaires::reminders::remind_once_a_day(state, now).await?;
    crate::care_flags::going_quiet::send_waiting_notices(state, now).await?;
    crate::care_flags::not_on_track::classify_once_a_day(state, now).await?;
    crate::usage::rollups::catch_up_every(&state.db, tz, now, chrono::Duration::minutes(1)).await?;
    crate::lifecycle::erasure::erase_expired(&state.db, now).await?;
    sessions::prune(&state.db, &state.settings.auth, now).await?;
    throttle::prune(&state.db, now).await?;
    Ok(report)
}
