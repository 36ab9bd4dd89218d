//! The uptake report (API.md `GET /api/v1/reports/uptake`), organised by
//! RE-AIM, built from the rollups of one clinic's usage events (and, for
//! effectiveness, from questionnaire scores): never naming a patient. A
//! figure that rests on one to four patients is suppressed (null), so no
//! individual can be singled out. Event counts come from the patient-free
//! daily rollups and distinct patients from one row per patient-month, so a
//! report reads a few thousand rows however many events lie behind it.

use std::collections::HashMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryResult};
use serde::{Deserialize, Serialize};

use super::patients::{clip, flag, month_start, PatientCounts};
use crate::{
    content::Catalogue,
    entities::users,
    error::{AppError, AppResult},
    sql,
};

/// Cells resting on fewer patients than this (but more than none) are hidden.
pub const SUPPRESS_BELOW: u64 = 5;

/// Which part of a clinic's history a report covers.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct ReportQuery {
    /// First day, YYYY-MM-DD (default: 90 days ago)
    pub from: Option<String>,
    /// Last day, included, YYYY-MM-DD (default: today)
    pub to: Option<String>,
    pub team_id: Option<String>,
}

/// A count of patients (or of events resting on them); `null` when
/// suppressed because fewer than five patients are behind it.
pub type Cell = Option<u64>;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Uptake {
    /// When the daily rollups were last brought up to date (the worker does
    /// this every minute); later events are not in the figures yet.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub team_id: Option<String>,
    pub reach: Reach,
    pub adoption: Adoption,
    pub engagement: Engagement,
    pub fidelity: Fidelity,
    pub outcomes: Outcomes,
    /// Clinic-wide reports only: the totals are the whole clinic's.
    pub digital_share: Option<super::treatments::DigitalShare>,
    /// Maintenance: the twelve calendar months up to the end of the period
    /// (and any earlier months of the period), for trends.
    pub months: Vec<Month>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Reach {
    /// Patients referred for ICBT, as the manager entered them per month
    /// (clinic-wide reports only; null when none were entered).
    pub referred: Option<u64>,
    /// Invited after the intake.
    pub enrolled: Cell,
    /// Accepted the invitation and started.
    pub activated: Cell,
    pub by_program: Vec<ProgramReach>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProgramReach {
    pub program_id: String,
    pub enrolled: Cell,
    pub activated: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Adoption {
    pub therapists_total: u64,
    /// Trained therapists, as the manager last entered them up to the end
    /// of the period (clinic-wide reports only).
    pub trained_therapists: Option<u64>,
    pub therapists_with_active_patients: u64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Engagement {
    pub active_patients: Cell,
    /// Mean, over the weeks of the period, of the patients active that week.
    pub weekly_active_patients: Option<f64>,
    /// Weeks in which a patient was active, summed over patients.
    pub active_patient_weeks: Cell,
    pub diary_entries: Cell,
    pub diary_entries_per_patient_week: Option<f64>,
    pub submissions: Cell,
    pub module_funnel: Vec<FunnelStep>,
    pub dropped_out: Cell,
    /// When patients dropped out: by weeks since they started.
    pub drop_out_by_week: Vec<DropOutWhen>,
    /// And in which module they were.
    pub drop_out_by_module: Vec<DropOutWhen>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FunnelStep {
    pub module_id: String,
    pub program_id: String,
    pub title: String,
    pub started: Cell,
    pub completed: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DropOutWhen {
    /// Weeks such as "0-2", or a module id.
    pub when: String,
    pub title: String,
    pub patients: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Fidelity {
    /// Feedback occasions that fell due (each patient's feedback day).
    pub feedback_due: Cell,
    pub feedback_given: Cell,
    /// Feedback given on or before its due day.
    pub feedback_on_time: Cell,
    /// On time against due, percent, one decimal.
    pub feedback_on_time_percent: Option<f64>,
    pub median_feedback_latency_hours: Option<f64>,
    pub blended_contacts: Cell,
    pub tailoring: Tailoring,
}

/// How therapists fitted the program to their patients.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Tailoring {
    pub patients_tailored: Cell,
    pub modules_opened: Cell,
    pub modules_skipped: Cell,
    pub modules_locked: Cell,
    pub items_hidden: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Outcomes {
    pub completed: Cell,
    pub stepped_up: Cell,
    /// Baseline against end of treatment, per questionnaire.
    pub score_changes: Vec<super::outcomes::ScoreChange>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Month {
    /// YYYY-MM
    pub month: String,
    /// Patients enrolled that month (reach by month).
    pub enrolled: Cell,
    pub active_patients: Cell,
    pub diary_entries: Cell,
    pub feedback_due: Cell,
    pub feedback_given: Cell,
    pub feedback_on_time: Cell,
    pub completed: Cell,
    pub dropped_out: Cell,
}

/// `value`, unless it rests on 1 to `min - 1` patients.
pub fn shown(value: u64, patients: u64, min: u64) -> Cell {
    (patients == 0 || patients >= min).then_some(value)
}

/// The period, checked: defaults to the last 90 days up to `today`.
pub fn period(query: &ReportQuery, today: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
    let day = |field: &str, value: &Option<String>, default: NaiveDate| match value.as_deref() {
        None | Some("") => Ok(default),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| AppError::field(field, "Enter a date such as 2026-03-02.")),
    };
    let to = day("to", &query.to, today)?;
    let from = day("from", &query.from, to - Duration::days(89))?;
    if from > to {
        return Err(AppError::field("from", "The first day must come before the last."));
    }
    if to - from > Duration::days(3 * 366) {
        return Err(AppError::field("from", "A report covers at most three years."));
    }
    Ok((from, to))
}

/// Whose figures a report shows.
#[derive(Clone, Debug)]
pub struct Scope {
    pub clinic_id: String,
    pub team_id: Option<String>,
    /// A therapist's own figures: about patients they know, so nothing is
    /// suppressed.
    pub therapist_id: Option<String>,
}

impl Scope {
    fn min_patients(&self) -> u64 {
        if self.therapist_id.is_some() {
            1
        } else {
            SUPPRESS_BELOW
        }
    }
}

/// A statement built with its values bound as `$1, $2, …` (`?1, …` on
/// SQLite), so report queries stay readable and never splice in input.
pub(super) struct Sql {
    text: String,
    values: Vec<sea_orm::Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql { text: text.to_string(), values: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: impl Into<sea_orm::Value>) -> &mut Self {
        self.values.push(value.into());
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// `clinic_id = … [AND team_id = …] [AND therapist_id = …]`, with the
    /// columns' table `prefix` (such as "e.").
    pub fn scope(&mut self, prefix: &str, scope: &Scope) -> &mut Self {
        self.push(&format!("{prefix}clinic_id = ")).bind(scope.clinic_id.clone());
        for (column, value) in [("team_id", &scope.team_id), ("therapist_id", &scope.therapist_id)] {
            if let Some(value) = value {
                self.push(&format!(" AND {prefix}{column} = ")).bind(value.clone());
            }
        }
        self
    }

    pub async fn all(&self, db: &impl ConnectionTrait) -> AppResult<Vec<QueryResult>> {
        Ok(db.query_all(sql::statement_for(db, &self.text, self.values.clone())).await?)
    }
}

fn number(row: &QueryResult, column: &str) -> AppResult<u64> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0).max(0) as u64)
}

fn text(row: &QueryResult, column: &str) -> AppResult<String> {
    Ok(row.try_get::<String>("", column)?)
}

/// Events of the scope's rollups in `from..=to` (no patient in them), with
/// `rest` (conditions, grouping) after them. Whole months are read from
/// `usage_monthly`, which has a twentieth of the rows; only the days before
/// and after them from `usage_daily`.
fn daily(scope: &Scope, select: &str, (from, to): (NaiveDate, NaiveDate), rest: &str) -> Sql {
    let first_whole = if from.day() == 1 { from } else { month_start(from) + Months::new(1) };
    let after_whole = month_start(to + Duration::days(1));
    let mut sql = Sql::new(&format!("SELECT {select} FROM ("));
    let days = |sql: &mut Sql, first: NaiveDate, last: NaiveDate, union: bool| {
        if first <= last {
            if union {
                sql.push(" UNION ALL ");
            }
            sql.push("SELECT month, kind, value_key, module_id, events FROM usage_daily WHERE ")
                .scope("", scope);
            sql.push(" AND day >= ").bind(first).push(" AND day <= ").bind(last);
        }
    };
    if first_whole < after_whole {
        days(&mut sql, from, first_whole - Duration::days(1), false);
        if from < first_whole {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT month, kind, value_key, module_id, events FROM usage_monthly WHERE ")
            .scope("", scope);
        let month = |day: NaiveDate| day.format("%Y-%m").to_string();
        sql.push(" AND month >= ").bind(month(first_whole)).push(" AND month < ").bind(month(after_whole));
        days(&mut sql, after_whole, to, true);
    } else {
        days(&mut sql, from, to, false);
    }
    sql.push(") u WHERE 1 = 1").push(rest);
    sql
}

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
        (drop_out_by_week, drop_out_by_module),
        module_funnel,
        median_latency,
        therapists_total,
        score_changes,
        entered,
        as_of,
    ) = tokio::try_join!(
        PatientCounts::load(db, scope, period, first_month),
        event_counts(db, scope, period),
        month_events(db, scope, (first_month, to)),
        drop_outs(db, content, scope, period, min),
        funnel(db, content, scope, period, min),
        median_latency(db, scope, period),
        therapists(db, scope),
        super::outcomes::score_changes(db, content, tz, scope, period, min),
        async {
            match clinic_wide {
                true => Ok(Some(super::treatments::entered(db, &scope.clinic_id, period).await?)),
                false => Ok(None),
            }
        },
        crate::usage::rollups::updated_at(db),
    )?;
    let who = |name: &str| patients.in_period(flag(name));
    let on_patients = |name: &str| {
        let n = who(name);
        shown(n, n, min)
    };
    let count =
        |kind: &str, flag_name: &str| shown(events.get(kind).copied().unwrap_or(0), who(flag_name), min);
    let weekly = patients.weekly_active();
    let patient_weeks: u64 = weekly.iter().sum();
    let active = on_patients("active");
    let diary_entries = count("diary.entry", "diary");
    let feedback_due = count("feedback.due", "feedback_due");
    let feedback_on_time = count("feedback.on_time", "feedback_on_time");
    let months = months(&patients, &month_events, (first_month, to), min);
    Ok(Uptake {
        as_of,
        from,
        to,
        team_id: scope.team_id.clone(),
        reach: Reach {
            referred: entered.as_ref().and_then(|e| e.referrals),
            enrolled: on_patients("enrolled"),
            activated: on_patients("activated"),
            by_program: by_program(&patients, min),
        },
        adoption: Adoption {
            therapists_total,
            trained_therapists: entered.as_ref().and_then(|e| e.trained_therapists),
            therapists_with_active_patients: patients.therapists_with_active_patients(),
        },
        engagement: Engagement {
            active_patients: active,
            weekly_active_patients: active
                .map(|_| (patient_weeks as f64 / weekly.len().max(1) as f64 * 10.0).round() / 10.0),
            active_patient_weeks: active.map(|_| patient_weeks),
            diary_entries,
            diary_entries_per_patient_week: diary_entries
                .filter(|_| patient_weeks > 0)
                .map(|n| (n as f64 / patient_weeks as f64 * 100.0).round() / 100.0),
            submissions: count("assignment.submitted", "submitted"),
            module_funnel,
            dropped_out: on_patients("dropped_out"),
            drop_out_by_week,
            drop_out_by_module,
        },
        fidelity: Fidelity {
            feedback_due,
            feedback_given: count("feedback.sent", "feedback"),
            feedback_on_time,
            feedback_on_time_percent: match (feedback_on_time, feedback_due) {
                (Some(given), Some(due)) if due > 0 => {
                    Some((given as f64 / due as f64 * 1000.0).round() / 10.0)
                }
                _ => None,
            },
            median_feedback_latency_hours: median_latency.filter(|_| who("feedback") >= min),
            blended_contacts: count("contact.logged", "contact"),
            tailoring: Tailoring {
                patients_tailored: on_patients("tailored"),
                modules_opened: count("module.opened", "tailored"),
                modules_skipped: count("module.skipped", "tailored"),
                modules_locked: count("module.locked", "tailored"),
                items_hidden: count("item.hidden", "tailored"),
            },
        },
        outcomes: Outcomes {
            completed: on_patients("completed"),
            stepped_up: on_patients("stepped_up"),
            score_changes,
        },
        digital_share: match clinic_wide {
            true => Some(super::treatments::digital_share(db, &scope.clinic_id, period, &months).await?),
            false => None,
        },
        months,
    })
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
        .filter(users::Column::Role.eq("therapist"))
        .filter(users::Column::Active.eq(true));
    if let Some(team) = &scope.team_id {
        therapists = therapists.filter(users::Column::TeamId.eq(team));
    }
    if let Some(therapist) = &scope.therapist_id {
        therapists = therapists.filter(users::Column::Id.eq(therapist));
    }
    Ok(therapists.count(db).await?)
}

/// Per module: patients who worked on it, and who completed it, in the
/// period (from the module-months, clipped to the period's days).
async fn funnel(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    scope: &Scope,
    (from, to): (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<Vec<FunnelStep>> {
    let (first, last) = (month_start(from), month_start(to));
    let month = |day: NaiveDate| day.format("%Y-%m").to_string();
    let mut sql = Sql::new("SELECT module_id");
    for column in ["started", "completed"] {
        sql.push(&format!(", COUNT(DISTINCT CASE WHEN ({column} & CASE WHEN month = "))
            .bind(month(first))
            .push(" THEN ")
            .bind(clip(first, from, to))
            .push(" ELSE -1 END & CASE WHEN month = ")
            .bind(month(last))
            .push(" THEN ")
            .bind(clip(last, from, to))
            .push(&format!(" ELSE -1 END) <> 0 THEN patient_pseudonym END) AS {column}"));
    }
    sql.push(" FROM usage_module_months WHERE ").scope("", scope);
    sql.push(" AND month >= ").bind(month(first)).push(" AND month <= ").bind(month(last));
    sql.push(" GROUP BY module_id");
    let mut counts: HashMap<String, (u64, u64)> = HashMap::new();
    for row in sql.all(db).await? {
        counts.insert(text(&row, "module_id")?, (number(&row, "started")?, number(&row, "completed")?));
    }
    let mut programs: Vec<_> = content.programs().collect();
    programs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(programs
        .into_iter()
        .flat_map(|p| p.modules.iter().map(move |m| (p, m)))
        .map(|(p, m)| {
            let (started, completed) = counts.get(&m.id).copied().unwrap_or((0, 0));
            FunnelStep {
                module_id: m.id.clone(),
                program_id: p.id.clone(),
                title: m.title.clone(),
                started: shown(started, started, min),
                completed: shown(completed, completed, min),
            }
        })
        .collect())
}

/// Weeks since the start of treatment at which patients dropped out.
const DROP_OUT_WEEKS: [(i64, i64, &str); 5] =
    [(0, 2, "0-2"), (3, 5, "3-5"), (6, 8, "6-8"), (9, 12, "9-12"), (13, i64::MAX, "13+")];

/// Drop-outs by weeks into treatment and by module, each cell a count of
/// patients (a patient drops out once).
async fn drop_outs(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    scope: &Scope,
    period: (NaiveDate, NaiveDate),
    min: u64,
) -> AppResult<(Vec<DropOutWhen>, Vec<DropOutWhen>)> {
    let rest = " AND kind = 'status.dropped_out' GROUP BY value_key, module_id";
    let rows = daily(scope, "value_key, module_id, SUM(events) AS events", period, rest).all(db).await?;
    let mut by_week = [0u64; DROP_OUT_WEEKS.len()];
    let mut by_module: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let weeks: i64 = row.try_get::<i32>("", "value_key")?.into();
        let n = number(row, "events")?;
        if let Some(bucket) = DROP_OUT_WEEKS.iter().position(|(lo, hi, _)| (*lo..=*hi).contains(&weeks)) {
            by_week[bucket] += n;
        }
        *by_module.entry(text(row, "module_id")?).or_default() += n;
    }
    let weeks = DROP_OUT_WEEKS
        .iter()
        .zip(by_week)
        .map(|((_, _, label), n)| DropOutWhen {
            when: label.to_string(),
            title: label.to_string(),
            patients: shown(n, n, min),
        })
        .collect();
    let mut modules: Vec<DropOutWhen> = by_module
        .into_iter()
        .map(|(module, n)| DropOutWhen {
            title: content
                .programs()
                .flat_map(|p| &p.modules)
                .find(|m| m.id == module)
                .map_or_else(|| module.clone(), |m| m.title.clone()),
            when: module,
            patients: shown(n, n, min),
        })
        .collect();
    modules.sort_by(|a, b| a.when.cmp(&b.when));
    Ok((weeks, modules))
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
