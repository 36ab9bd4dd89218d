//! Going quiet: a patient in treatment who has done nothing for a while,
//! measured against their own rhythm, so a patient who works once a week is
//! not flagged on day three. Quiet means: days since their last activity are
//! at least the clinic's setting (default 7) and more than twice their usual
//! gap between active days. The caseload names it; the patient gets at most
//! one content-free "your program is waiting for you" a week, and no more
//! than three in a row until they are active again.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::Serialize;

use crate::{
    accounts::Role,
    audit,
    auth::Principal,
    digests::{self, PatientNotice},
    entities::{clinics, enrollments, enums::EnrollmentStatus},
    error::{AppError, AppResult},
    sql,
    state::AppState,
    web::ClientInfo,
};

pub const DEFAULT_QUIET_AFTER_DAYS: i64 = 7;
pub const MAX_QUIET_AFTER_DAYS: i32 = 60;
/// Notices in a row, a week apart, before icbt stops asking.
pub const MAX_NOTICES_IN_A_ROW: i32 = 3;
const NOTICE_EVERY: Duration = Duration::days(7);
/// How far back a patient's rhythm is read.
const RHYTHM_DAYS: i64 = 28;
const STATE: &str = "quiet_notices";

/// How long a quiet patient has been quiet, and their usual rhythm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Quiet {
    /// Days since the last activity.
    pub days: i64,
    /// The usual gap in days between active days, when there is one.
    pub usual_gap_days: Option<i64>,
}

/// The median gap between consecutive active days (sorted); `None` with
/// fewer than three active days, too few to call a rhythm.
pub fn usual_gap(days: &[NaiveDate]) -> Option<i64> {
    if days.len() < 3 {
        return None;
    }
    let mut gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    gaps.sort_unstable();
    Some(gaps[gaps.len() / 2])
}

/// Quiet on `today` after the last active day `last`: at least `quiet_after`
/// days and more than twice the usual gap.
pub fn quiet_on(
    last: NaiveDate,
    today: NaiveDate,
    usual_gap_days: Option<i64>,
    quiet_after: i64,
) -> Option<Quiet> {
    let days = (today - last).num_days();
    let threshold = quiet_after.max(usual_gap_days.map_or(0, |gap| 2 * gap + 1));
    (days >= threshold).then_some(Quiet { days, usual_gap_days })
}

/// The quiet ones among `list` (patients in active treatment), by
/// enrollment id.
pub async fn quiet_patients(
    db: &impl ConnectionTrait,
    list: &[enrollments::Model],
    tz: Tz,
    now: DateTime<Utc>,
) -> AppResult<HashMap<String, Quiet>> {
    let active: Vec<&enrollments::Model> =
        list.iter().filter(|e| e.status == EnrollmentStatus::Active && e.activated_at.is_some()).collect();
    if active.is_empty() {
        return Ok(HashMap::new());
    }
    let today = now.with_timezone(&tz).date_naive();
    let settings = quiet_after(db, active.iter().map(|e| e.clinic_id.clone()).collect()).await?;
    let pseudonyms: Vec<String> = active.iter().map(|e| e.pseudonym.clone()).collect();
    let history = active_days(db, &pseudonyms, today - Duration::days(RHYTHM_DAYS * 2)).await?;
    let mut out = HashMap::new();
    for e in active {
        let last_at = e.last_active_at.or(e.activated_at).unwrap_or(e.enrolled_at);
        let last = last_at.with_timezone(&tz).date_naive();
        let days: Vec<NaiveDate> = history
            .get(&e.pseudonym)
            .map(|d| {
                d.iter().copied().filter(|d| *d <= last && *d > last - Duration::days(RHYTHM_DAYS)).collect()
            })
            .unwrap_or_default();
        let after = settings.get(&e.clinic_id).copied().unwrap_or(DEFAULT_QUIET_AFTER_DAYS);
        if let Some(quiet) = quiet_on(last, today, usual_gap(&days), after) {
            out.insert(e.id.clone(), quiet);
        }
    }
    Ok(out)
}

/// Each clinic's setting, by id.
async fn quiet_after(db: &impl ConnectionTrait, ids: Vec<String>) -> AppResult<HashMap<String, i64>> {
    let found = clinics::Entity::find().filter(clinics::Column::Id.is_in(ids)).all(db).await?;
    Ok(found.into_iter().filter_map(|c| c.quiet_after_days.map(|d| (c.id, i64::from(d)))).collect())
}

/// The days each patient was active (the usage rollups' day bits), from
/// `since` on.
async fn active_days(
    db: &impl ConnectionTrait,
    pseudonyms: &[String],
    since: NaiveDate,
) -> AppResult<HashMap<String, Vec<NaiveDate>>> {
    let first = since.with_day(1).unwrap_or(since);
    let marks: Vec<String> = (2..pseudonyms.len() + 2).map(|n| format!("${n}")).collect();
    let text = format!(
        "SELECT patient_pseudonym, month, active FROM usage_patient_months \
         WHERE month >= $1 AND patient_pseudonym IN ({})",
        marks.join(", ")
    );
    let mut values: Vec<sea_orm::Value> = vec![first.format("%Y-%m").to_string().into()];
    values.extend(pseudonyms.iter().map(|p| p.clone().into()));
    let mut rows: Vec<(String, String, i32)> = Vec::new();
    for row in db.query_all(sql::statement_for(db, &text, values)).await? {
        rows.push((
            row.try_get("", "patient_pseudonym")?,
            row.try_get("", "month")?,
            row.try_get("", "active")?,
        ));
    }
    let mut out: HashMap<String, Vec<NaiveDate>> = HashMap::new();
    for (pseudonym, month, bits) in rows {
        let Ok(start) = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d") else { continue };
        let end = start + Months::new(1);
        let days = out.entry(pseudonym).or_default();
        for bit in 0..31 {
            let day = start + Duration::days(bit);
            if day < end && bits & (1 << bit) != 0 {
                days.push(day);
            }
        }
    }
    for days in out.values_mut() {
        days.sort_unstable();
        days.dedup();
    }
    Ok(out)
}

/// Once a day: "your program is waiting for you" for each quiet patient who
/// has had none for a week, at most three in a row; a patient active since
/// their last notice starts again from none. Returns the notices flagged.
pub async fn send_waiting_notices(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let tz = state.settings.care.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let txn = state.db.begin().await?;
    if !crate::usage::rollups::due_today(&txn, STATE, today).await? {
        return Ok(0);
    }
    let list = enrollments::Entity::find()
        .filter(enrollments::Column::Status.eq(EnrollmentStatus::Active))
        .filter(enrollments::Column::ActivatedAt.is_not_null())
        .all(&txn)
        .await?;
    let quiet = quiet_patients(&txn, &list, tz, now).await?;
    let mut flagged = 0;
    for e in &list {
        let back = e.quiet_notice_at.is_some_and(|sent| e.last_active_at.is_some_and(|active| active > sent));
        let sent_before = if back { 0 } else { e.quiet_notices };
        let rested = back || e.quiet_notice_at.is_none_or(|sent| now - sent >= NOTICE_EVERY);
        let (count, at) = if quiet.contains_key(&e.id) && sent_before < MAX_NOTICES_IN_A_ROW && rested {
            digests::notice_patient(&txn, &e.id, PatientNotice::ProgramWaiting, now).await?;
            flagged += 1;
            (sent_before + 1, Some(now))
        } else if back {
            (0, None)
        } else {
            continue;
        };
        enrollments::Entity::update_many()
            .col_expr(enrollments::Column::QuietNotices, count.into())
            .col_expr(enrollments::Column::QuietNoticeAt, at.into())
            .filter(enrollments::Column::Id.eq(&e.id))
            .exec(&txn)
            .await?;
    }
    crate::usage::rollups::save_state(&txn, STATE, today + Duration::days(1), now).await?;
    txn.commit().await?;
    Ok(flagged)
}

/// An administrator sets after how many quiet days a clinic's patients are
/// named on the caseload; `None` is the default of 7.
pub async fn set_quiet_after(
    state: &AppState,
    admin: &Principal,
    clinic_id: &str,
    days: Option<i32>,
    client: &ClientInfo,
) -> AppResult<()> {
    admin.require(&[Role::Admin])?;
    if days.is_some_and(|d| !(1..=MAX_QUIET_AFTER_DAYS).contains(&d)) {
        return Err(AppError::field(
            "quiet_after_days",
            format!("Enter a number of days from 1 to {MAX_QUIET_AFTER_DAYS}, or leave it empty for 7."),
        ));
    }
    let clinic = clinics::Entity::find_by_id(clinic_id.to_string()).one(&state.db).await?;
    let clinic = clinic.ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    clinics::Entity::update_many()
        .col_expr(clinics::Column::QuietAfterDays, days.into())
        .filter(clinics::Column::Id.eq(&clinic.id))
        .exec(&txn)
        .await?;
    let detail = days.map_or_else(|| "quiet_after=default".to_string(), |d| format!("quiet_after={d}d"));
    let entry = admin.audit("clinic.quiet_after_changed").target("clinic", &clinic.id).detail(detail);
    audit::record(&txn, entry.clinic(Some(&clinic.id)), client, now).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Duration::days(n)
    }

    #[test]
    fn a_weekly_patient_is_not_quiet_on_day_three() {
        let weekly: Vec<NaiveDate> = (0..4).map(|w| day(w * 7)).collect();
        assert_eq!(usual_gap(&weekly), Some(7));
        let last = day(21);
        assert_eq!(quiet_on(last, last + Duration::days(3), Some(7), 3), None);
        assert_eq!(
            quiet_on(last, last + Duration::days(14), Some(7), 3),
            None,
            "twice the gap is still the rhythm"
        );
        assert_eq!(
            quiet_on(last, last + Duration::days(15), Some(7), 3),
            Some(Quiet { days: 15, usual_gap_days: Some(7) })
        );
    }

    #[test]
    fn a_daily_patient_is_quiet_after_the_clinics_days() {
        let daily: Vec<NaiveDate> = (0..10).map(day).collect();
        assert_eq!(usual_gap(&daily), Some(1));
        assert_eq!(quiet_on(day(9), day(15), Some(1), 7), None);
        assert_eq!(quiet_on(day(9), day(16), Some(1), 7).map(|q| q.days), Some(7));
        assert_eq!(usual_gap(&daily[..2]), None, "two days are no rhythm");
    }
}
