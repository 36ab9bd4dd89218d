//! Therapist time, measured from use: the minutes a therapist spends on each
//! patient's record and composer, from the times of their requests about that
//! patient (every one is in the audit log). Requests less than five minutes
//! apart make one stretch; a stretch counts from its first request to its
//! last, plus a minute for the reading after it. Logged contacts add their
//! minutes. Per patient, that is divided by the patient's weeks in treatment
//! in the period; the report gives the median and spread over patients, per
//! therapist and for the scope. Routine clinics report 10–20 minutes per
//! patient-week (Titov et al., 2018).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::figures::{shown, Cell, Scope, Sql};
use crate::{error::AppResult, usage::rollups::start_of};

/// Requests further apart than this start a new stretch.
const STRETCH_GAP: Duration = Duration::minutes(5);
/// The reading after a stretch's last request.
const AFTER_LAST: Duration = Duration::minutes(1);

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct TimeSpread {
    /// Patients with time in the period that the figures rest on.
    pub patients: Cell,
    /// Minutes per patient-week: median and quartiles, one decimal.
    pub median: Option<f64>,
    pub lower_quartile: Option<f64>,
    pub upper_quartile: Option<f64>,
}

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct TherapistTime {
    /// Over every patient in the scope.
    pub all: TimeSpread,
    /// Per therapist, by name.
    pub by_therapist: Vec<(String, TimeSpread)>,
}

/// The minutes of a sorted list of request times.
pub fn stretch_minutes(times: &[DateTime<Utc>]) -> i64 {
    let mut total = Duration::zero();
    let mut start = match times.first() {
        Some(t) => *t,
        None => return 0,
    };
    let mut last = start;
    for &at in &times[1..] {
        if at - last > STRETCH_GAP {
            total += last - start + AFTER_LAST;
            start = at;
        }
        last = at;
    }
    total += last - start + AFTER_LAST;
    total.num_minutes()
}

/// Median and quartiles of `values` (linear between ranks).
fn spread(mut values: Vec<f64>, min: u64) -> TimeSpread {
    let n = values.len() as u64;
    let patients = shown(n, n, min);
    if patients.is_none() || values.is_empty() {
        return TimeSpread { patients, ..TimeSpread::default() };
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let rank = q * (values.len() - 1) as f64;
        let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
        let value = values[low] + (values[high] - values[low]) * (rank - low as f64);
        Some((value * 10.0).round() / 10.0)
    };
    TimeSpread { patients, median: at(0.5), lower_quartile: at(0.25), upper_quartile: at(0.75) }
}

pub(super) async fn therapist_time(
    db: &impl ConnectionTrait,
    tz: Tz,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<TherapistTime> {
    let (start, end) = (start_of(from, tz), start_of(to + Duration::days(1), tz));
    let mut sql = Sql::new(
        "SELECT a.actor_id, a.target_id, a.at FROM audit_log a JOIN enrollments e ON e.id = a.target_id \
         WHERE a.target_kind = 'patient' AND a.actor_role = 'therapist' AND a.at >= ",
    );
    sql.bind(start).push(" AND a.at < ").bind(end).push(" AND ").scope("e.", scope);
    let mut requests: BTreeMap<(String, String), Vec<DateTime<Utc>>> = BTreeMap::new();
    for row in sql.all(db).await? {
        let key = (row.try_get::<String>("", "actor_id")?, row.try_get::<String>("", "target_id")?);
        requests.entry(key).or_default().push(row.try_get("", "at")?);
    }
    let mut minutes: HashMap<(String, String), i64> = HashMap::new();
    for (key, mut times) in requests {
        times.sort_unstable();
        minutes.insert(key, stretch_minutes(&times));
    }
    let mut contacts = Sql::new(
        "SELECT c.therapist_id, c.enrollment_id, c.minutes FROM contacts c JOIN enrollments e ON e.id = c.enrollment_id \
         WHERE c.held_on >= ",
    );
    contacts.bind(from).push(" AND c.held_on <= ").bind(to).push(" AND ").scope("e.", scope);
    for row in contacts.all(db).await? {
        let key = (row.try_get::<String>("", "therapist_id")?, row.try_get::<String>("", "enrollment_id")?);
        *minutes.entry(key).or_default() += i64::from(row.try_get::<i32>("", "minutes")?);
    }
    let weeks = patient_weeks(db, scope, (start, end)).await?;
    let names = therapist_names(db, scope).await?;
    let mut per_therapist: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    for ((therapist, patient), spent) in minutes {
        let Some(&weeks) = weeks.get(&patient) else { continue };
        let per_week = spent as f64 / weeks;
        all.push(per_week);
        per_therapist.entry(therapist).or_default().push(per_week);
    }
    let mut by_therapist: Vec<(String, TimeSpread)> = per_therapist
        .into_iter()
        .map(|(id, values)| (names.get(&id).cloned().unwrap_or(id), spread(values, min)))
        .collect();
    by_therapist.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(TherapistTime { all: spread(all, min), by_therapist })
}

/// Each patient's weeks in treatment within the period (at least one).
async fn patient_weeks(
    db: &impl ConnectionTrait,
    scope: &Scope,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<HashMap<String, f64>> {
    let mut sql = Sql::new("SELECT e.id, e.activated_at, e.ended_at FROM enrollments e WHERE ");
    sql.scope("e.", scope);
    let mut out = HashMap::new();
    for row in sql.all(db).await? {
        let Some(activated) = row.try_get::<Option<DateTime<Utc>>>("", "activated_at")? else { continue };
        let ended = row.try_get::<Option<DateTime<Utc>>>("", "ended_at")?.unwrap_or(end);
        let (from, to) = (activated.max(start), ended.min(end));
        let days = (to - from).num_minutes() as f64 / (24.0 * 60.0);
        out.insert(row.try_get("", "id")?, (days / 7.0).max(1.0));
    }
    Ok(out)
}

async fn therapist_names(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<HashMap<String, String>> {
    let mut sql = Sql::new("SELECT id, name FROM users WHERE role = 'therapist' AND clinic_id = ");
    sql.bind(scope.clinic_id.clone());
    let mut out = HashMap::new();
    for row in sql.all(db).await? {
        out.insert(row.try_get("", "id")?, row.try_get("", "name")?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_772_438_400, 0).unwrap() + Duration::minutes(minute)
    }

    #[test]
    fn requests_close_together_make_one_stretch() {
        // 0, 2, 4: one stretch of 4 + 1; 14: a new one of 1.
        assert_eq!(stretch_minutes(&[at(0), at(2), at(4), at(14)]), 6);
        assert_eq!(stretch_minutes(&[at(0)]), 1);
        assert_eq!(stretch_minutes(&[]), 0);
        assert_eq!(stretch_minutes(&[at(0), at(5)]), 6, "five minutes apart still one stretch");
    }

    #[test]
    fn the_spread_is_the_median_and_quartiles() {
        let s = spread(vec![10.0, 20.0, 30.0, 40.0, 50.0], 5);
        assert_eq!((s.median, s.lower_quartile, s.upper_quartile), (Some(30.0), Some(20.0), Some(40.0)));
        assert_eq!(spread(vec![10.0, 20.0], 5).median, None, "two patients: hidden");
    }
}
