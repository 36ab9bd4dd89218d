//! The uptake report (API.md `GET /api/v1/reports/uptake`), organised by
//! RE-AIM, built from the rollups of one clinic's usage events (and, for
//! effectiveness, from questionnaire scores): never naming a patient. A
//! figure that rests on one to four patients is suppressed (null), so no
//! individual can be singled out. Event counts come from the patient-free
//! daily rollups and distinct patients from one row per patient-month, so a
//! report reads a few thousand rows however many events lie behind it.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{
    engagement::{drop_outs, funnel},
    figures::{daily, month_start, number, shown, text, Cell, Month, Scope},
    model::{Adoption, Engagement, Fidelity, Outcomes, ProgramReach, Reach, Tailoring, Uptake},
    patients::{flag, PatientCounts},
};
use crate::{accounts::Role, content::Catalogue, entities::users, error::AppResult};

/// The uptake report for a scope: event counts from the daily rollups,
/// distinct patients from the patient-months, scores from the responses.
pub async fn uptake(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    tz: Tz,
    scope: &Scope,
    period: (NaiveDate, NaiveDate),
) -> AppResult<Uptake> {
    let (from, to) = period;
    let min = scope.min_patients();
    let first_month = month_start(from).min(month_start(to) - Months::new(11));
    let clinic_wide = scope.team_id.is_none() && scope.therapist_id.is_none();
    // The figures are independent queries: they run side by side on the pool.
    let (
        patients,
        events,
        month_events,
        drop_out,
        module_funnel,
        latency,
        therapists_total,
        score_changes,
        entered,
        as_of,
        stepped_care,
        not_on_track,
        therapist_time,
    ) = tokio::try_join!(
        PatientCounts::load(db, scope, period, first_month),
        event_counts(db, scope, period),
        month_events(db, scope, (first_month, to)),
        drop_outs(db, content, scope, period, min),
        funnel(db, content, scope, period, min),
        median_latency(db, scope, period),
        therapists(db, scope),
        super::outcomes::score_changes(db, content, tz, scope, period, min),
        clinic_entered(db, scope, period),
        crate::usage::rollups::updated_at(db),
        super::stepped_care::flags(db, tz, scope, period, min),
        super::not_on_track::flags(db, content, tz, scope, period, min),
        super::therapist_time::therapist_time(db, tz, scope, period, min),
    )?;
    let months = months(&patients, &month_events, (first_month, to), min);
    let loaded = Loaded { patients: &patients, events: &events, min };
    let mut report = Uptake {
        as_of,
        from,
        to,
        team_id: scope.team_id.clone(),
        reach: loaded.reach(entered.as_ref()),
        adoption: loaded.adoption(entered.as_ref(), therapists_total),
        engagement: loaded.engagement(module_funnel, drop_out),
        fidelity: loaded.fidelity(latency, therapist_time),
        outcomes: Outcomes {
            completed: loaded.patients_with("completed"),
            stepped_up: loaded.patients_with("stepped_up"),
            stepped_care,
            not_on_track,
            score_changes,
        },
        digital_share: None,
        months,
    };
    let tiled_from =
        (from.day() == 1).then(|| report.months.iter().position(|m| m.month >= month_key(from))).flatten();
    super::suppression::protect_report(&mut report, tiled_from, min);
    if clinic_wide {
        let share = super::treatments::digital_share(db, &scope.clinic_id, period, &report.months).await?;
        report.digital_share = Some(share);
    }
    Ok(report)
}

fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// What the managers entered for the period, on clinic-wide reports only:
/// their totals are the whole clinic's.
async fn clinic_entered(
    db: &impl ConnectionTrait,
    scope: &Scope,
    period: (NaiveDate, NaiveDate),
) -> AppResult<Option<super::treatments::Entered>> {
    match scope.team_id.is_none() && scope.therapist_id.is_none() {
        true => Ok(Some(super::treatments::entered(db, &scope.clinic_id, period).await?)),
        false => Ok(None),
    }
}

/// What the report's counts are read from, with the suppression threshold.
struct Loaded<'a> {
    patients: &'a PatientCounts,
    events: &'a HashMap<String, u64>,
    min: u64,
}

impl Loaded<'_> {
    fn reach(&self, entered: Option<&super::treatments::Entered>) -> Reach {
        Reach {
            referred: entered.and_then(|e| e.referrals),
            enrolled: self.patients_with("enrolled"),
            activated: self.patients_with("activated"),
            by_program: by_program(self.patients, self.min),
        }
    }

    fn adoption(&self, entered: Option<&super::treatments::Entered>, therapists_total: u64) -> Adoption {
        Adoption {
            therapists_total,
            trained_therapists: entered.and_then(|e| e.trained_therapists),
            therapists_with_active_patients: self.patients.therapists_with_active_patients(),
        }
    }

    /// Patients with the day flag `name` in the period.
    fn who(&self, name: &str) -> u64 {
        self.patients.in_period(flag(name))
    }

    fn patients_with(&self, name: &str) -> Cell {
        let n = self.who(name);
        shown(n, n, self.min)
    }

    /// Events of `kind`, shown when the patients flagged `flag_name` allow.
    fn events_of(&self, kind: &str, flag_name: &str) -> Cell {
        shown(self.events.get(kind).copied().unwrap_or(0), self.who(flag_name), self.min)
    }

    fn engagement(
        &self,
        module_funnel: Vec<super::model::FunnelStep>,
        (drop_out_by_week, drop_out_by_module): (
            Vec<super::model::DropOutWhen>,
            Vec<super::model::DropOutWhen>,
        ),
    ) -> Engagement {
        let weekly = self.patients.weekly_active();
        let patient_weeks: u64 = weekly.iter().sum();
        let active = self.patients_with("active");
        let diary_entries = self.events_of("diary.entry", "diary");
        Engagement {
            active_patients: active,
            weekly_active_patients: active
                .map(|_| (patient_weeks as f64 / weekly.len().max(1) as f64 * 10.0).round() / 10.0),
            active_patient_weeks: active.map(|_| patient_weeks),
            diary_entries,
            diary_entries_per_patient_week: diary_entries
                .filter(|_| patient_weeks > 0)
                .map(|n| (n as f64 / patient_weeks as f64 * 100.0).round() / 100.0),
            submissions: self.events_of("assignment.submitted", "submitted"),
            module_funnel,
            dropped_out: self.patients_with("dropped_out"),
            drop_out_by_week,
            drop_out_by_module,
        }
    }

    fn fidelity(
        &self,
        median_latency: Option<f64>,
        therapist_time: super::therapist_time::TherapistTime,
    ) -> Fidelity {
        let feedback_due = self.events_of("feedback.due", "feedback_due");
        let feedback_on_time = self.events_of("feedback.on_time", "feedback_on_time");
        Fidelity {
            feedback_due,
            feedback_given: self.events_of("feedback.sent", "feedback"),
            feedback_on_time,
            feedback_on_time_percent: match (feedback_on_time, feedback_due) {
                (Some(given), Some(due)) if due > 0 => {
                    Some((given as f64 / due as f64 * 1000.0).round() / 10.0)
                }
                _ => None,
            },
            median_feedback_latency_hours: median_latency.filter(|_| self.who("feedback") >= self.min),
            blended_contacts: self.events_of("contact.logged", "contact"),
            tailoring: Tailoring {
                patients_tailored: self.patients_with("tailored"),
                modules_opened: self.events_of("module.opened", "tailored"),
                modules_skipped: self.events_of("module.skipped", "tailored"),
                modules_locked: self.events_of("module.locked", "tailored"),
                items_hidden: self.events_of("item.hidden", "tailored"),
            },
            therapist_time,
        }
    }
}

fn by_program(patients: &PatientCounts, min: u64) -> Vec<ProgramReach> {
    let mut programs: Vec<(&String, &(u64, u64))> =
        patients.by_program().iter().filter(|(_, &(enrolled, activated))| enrolled + activated > 0).collect();
    programs.sort_unstable();
    programs
        .into_iter()
        .map(|(program, &(enrolled, activated))| ProgramReach {
            program_id: program.clone(),
            enrolled: shown(enrolled, enrolled, min),
            activated: shown(activated, activated, min),
        })
        .collect()
}

/// The scope's therapists with an active account.
async fn therapists(db: &impl ConnectionTrait, scope: &Scope) -> AppResult<u64> {
    let mut therapists = users::Entity::find()
        .filter(users::Column::ClinicId.eq(&scope.clinic_id))
        .filter(users::Column::Role.eq(Role::Therapist))
        .filter(users::Column::Active.eq(true));
    if let Some(team) = &scope.team_id {
        therapists = therapists.filter(users::Column::TeamId.eq(team));
    }
    if let Some(therapist) = &scope.therapist_id {
        therapists = therapists.filter(users::Column::Id.eq(therapist));
    }
    Ok(therapists.count(db).await?)
}

/// The median of the feedback latencies, from their counts per tenth of an
/// hour.
async fn median_latency(
    db: &impl ConnectionTrait,
    scope: &Scope,
    period: (NaiveDate, NaiveDate),
) -> AppResult<Option<f64>> {
    let rest = " AND kind = 'feedback.sent' AND value_key >= 0 GROUP BY value_key";
    let rows = daily(scope, "value_key, SUM(events) AS events", period, rest).all(db).await?;
    let mut buckets: Vec<(i64, u64)> = Vec::new();
    for row in &rows {
        buckets.push((row.try_get::<i32>("", "value_key")?.into(), number(row, "events")?));
    }
    buckets.sort_unstable();
    let total: u64 = buckets.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return Ok(None);
    }
    // The middle value (or the mean of the two middle ones), in tenths.
    let nth = |n: u64| {
        let mut seen = 0;
        buckets
            .iter()
            .find(|(_, count)| {
                seen += count;
                seen > n
            })
            .map_or(0, |(key, _)| *key)
    };
    let tenths = if total % 2 == 1 {
        nth(total / 2) as f64
    } else {
        (nth(total / 2 - 1) + nth(total / 2)) as f64 / 2.0
    };
    Ok(Some((tenths / 10.0 * 100.0).round() / 100.0))
}

/// Every calendar month from `first` to the month of `to` (the last one up
/// to `to`).
fn months(
    patients: &PatientCounts,
    events: &HashMap<(String, String), u64>,
    (first, to): (NaiveDate, NaiveDate),
    min: u64,
) -> Vec<Month> {
    let mut out = Vec::new();
    let mut start = first;
    while start <= to {
        let month = start.format("%Y-%m").to_string();
        let who = |name: &str| patients.in_month(start, flag(name));
        let on_patients = |name: &str| shown(who(name), who(name), min);
        let count = |kind: &str, flag_name: &str| {
            shown(events.get(&(month.clone(), kind.to_string())).copied().unwrap_or(0), who(flag_name), min)
        };
        out.push(Month {
            enrolled: on_patients("enrolled"),
            active_patients: on_patients("active"),
            diary_entries: count("diary.entry", "diary"),
            feedback_due: count("feedback.due", "feedback_due"),
            feedback_given: count("feedback.sent", "feedback"),
            feedback_on_time: count("feedback.on_time", "feedback_on_time"),
            completed: on_patients("completed"),
            dropped_out: on_patients("dropped_out"),
            month,
        });
        start = start + Months::new(1);
    }
    out
}

/// Per month and kind: the events the monthly view counts.
async fn month_events(
    db: &impl ConnectionTrait,
    scope: &Scope,
    months: (NaiveDate, NaiveDate),
) -> AppResult<HashMap<(String, String), u64>> {
    let rest = " AND kind IN ('diary.entry', 'feedback.due', 'feedback.sent', 'feedback.on_time') \
         GROUP BY month, kind";
    let mut events = HashMap::new();
    for row in daily(scope, "month, kind, SUM(events) AS events", months, rest).all(db).await? {
        events.insert((text(&row, "month")?, text(&row, "kind")?), number(&row, "events")?);
    }
    Ok(events)
}

/// Per kind: the events of the period.
async fn event_counts(
    db: &impl ConnectionTrait,
    scope: &Scope,
    period: (NaiveDate, NaiveDate),
) -> AppResult<HashMap<String, u64>> {
    let mut events = HashMap::new();
    for row in daily(scope, "kind, SUM(events) AS events", period, " GROUP BY kind").all(db).await? {
        events.insert(text(&row, "kind")?, number(&row, "events")?);
    }
    Ok(events)
}
