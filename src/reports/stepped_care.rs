//! The stepped-care flags of the period: how many were raised, and what the
//! therapists decided (as of now). Each patient has at most one such flag
//! per treatment, so the three outcomes add up to the flagged.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::figures::{shown, Cell, Scope, Sql};
use crate::{error::AppResult, usage::rollups::start_of};

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SteppedCareFlags {
    /// Patients whose end score was at or above the program's threshold.
    pub flagged: Cell,
    /// Of them, stepped up to face-to-face treatment.
    pub stepped_up: Cell,
    /// Of them, not stepped up, with a reason.
    pub not_stepped_up: Cell,
    /// Of them, no decision yet.
    pub open: Cell,
}

pub(super) async fn flags(
    db: &impl ConnectionTrait,
    tz: Tz,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<SteppedCareFlags> {
    let mut sql = Sql::new(
        "SELECT f.decision, f.raised_at FROM care_flags f JOIN enrollments e ON e.id = f.enrollment_id \
         WHERE f.kind = 'stepped_care' AND ",
    );
    sql.scope("e.", scope);
    let (start, end) = (start_of(from, tz), start_of(to + Duration::days(1), tz));
    let (mut up, mut not_up, mut open) = (0u64, 0u64, 0u64);
    for row in sql.all(db).await? {
        let at: DateTime<Utc> = row.try_get("", "raised_at")?;
        if at < start || at >= end {
            continue;
        }
        match row.try_get::<Option<String>>("", "decision")?.as_deref() {
            Some("stepped_up") => up += 1,
            Some(_) => not_up += 1,
            None => open += 1,
        }
    }
    let flagged = up + not_up + open;
    Ok(SteppedCareFlags {
        flagged: shown(flagged, flagged, min),
        stepped_up: shown(up, up, min),
        not_stepped_up: shown(not_up, not_up, min),
        open: shown(open, open, min),
    })
}
