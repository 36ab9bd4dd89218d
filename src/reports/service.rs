//! The uptake report (API.md `GET /api/v1/reports/uptake`), organised by
//! RE-AIM, built from the daily rollups of one clinic's usage events: never
//! from clinical content, never naming a patient. A figure that rests on one
//! to four patients is suppressed (null), so no individual can be singled
//! out. Each figure is one aggregate query, so reports stay fast at millions
//! of events.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryResult,
    Statement,
};
use serde::{Deserialize, Serialize};

use crate::{
    content::Catalogue,
    entities::users,
    error::{AppError, AppResult},
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
    /// By calendar month, for trends.
    pub months: Vec<Month>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Reach {
    pub enrolled: Cell,
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
    pub therapists_with_active_patients: u64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Engagement {
    pub active_patients: Cell,
    pub diary_entries: Cell,
    pub submissions: Cell,
    pub module_funnel: Vec<FunnelStep>,
    pub dropped_out: Cell,
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
pub struct Fidelity {
    pub feedback_given: Cell,
    pub feedback_on_time: Cell,
    pub median_feedback_latency_hours: Option<f64>,
    pub blended_contacts: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Outcomes {
    pub completed: Cell,
    pub stepped_up: Cell,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Month {
    /// YYYY-MM
    pub month: String,
    /// Patients enrolled that month (reach by month).
    pub enrolled: Cell,
    pub active_patients: Cell,
    pub diary_entries: Cell,
    pub feedback_given: Cell,
}

/// What patients do, as opposed to what is done for them.
const PATIENT_ACTIVITY: &str = "'login', 'page.completed', 'diary.entry', 'assignment.submitted', \
     'questionnaire.completed', 'message.sent', 'message.read'";
/// Having done any of these in a module counts as having started it.
const MODULE_STARTED: &str =
    "'page.viewed', 'page.completed', 'diary.entry', 'assignment.submitted', 'module.opened'";

/// `value`, unless it rests on 1 to `min - 1` patients.
fn shown(value: u64, patients: u64, min: u64) -> Cell {
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

/// Aggregate queries over the rollups of a scope and period.
struct Rollups<'a, C: ConnectionTrait> {
    db: &'a C,
    values: Vec<sea_orm::Value>,
    filter: String,
    min: u64,
}

impl<'a, C: ConnectionTrait> Rollups<'a, C> {
    fn new(db: &'a C, scope: &Scope, (from, to): (NaiveDate, NaiveDate)) -> Self {
        let mut values: Vec<sea_orm::Value> = vec![scope.clinic_id.clone().into(), from.into(), to.into()];
        let mut filter = "clinic_id = $1 AND day >= $2 AND day <= $3".to_string();
        for (column, value) in [("team_id", &scope.team_id), ("therapist_id", &scope.therapist_id)] {
            if let Some(value) = value {
                values.push(value.clone().into());
                filter.push_str(&format!(" AND {column} = ${}", values.len()));
            }
        }
        Rollups { db, values, filter, min: scope.min_patients() }
    }

    async fn query(&self, select: &str, rest: &str) -> AppResult<Vec<QueryResult>> {
        let backend = self.db.get_database_backend();
        let sql = format!("SELECT {select} FROM usage_daily WHERE {} {rest}", self.filter);
        let sql = if backend == DatabaseBackend::Postgres { sql } else { sql.replace('$', "?") };
        Ok(self.db.query_all(Statement::from_sql_and_values(backend, sql, self.values.clone())).await?)
    }
}

fn number(row: &QueryResult, column: &str) -> AppResult<u64> {
    Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0).max(0) as u64)
}

fn text(row: &QueryResult, column: &str) -> AppResult<String> {
    Ok(row.try_get::<String>("", column)?)
}

/// Per kind (and program): distinct patients and events.
struct KindCounts(HashMap<(String, String), (u64, u64)>, u64);

impl KindCounts {
    /// (events, patients) of `kind`, over all programs or one.
    fn get(&self, kind: &str, program: Option<&str>) -> (u64, u64) {
        self.0
            .iter()
            .filter(|((k, p), _)| k == kind && program.is_none_or(|want| want == p))
            .fold((0, 0), |(e, n), (_, (patients, events))| (e + events, n + patients))
    }

    /// Events of `kind`, suppressed on 1–4 patients. A patient has one
    /// enrollment and so one program: per-program patients add up.
    fn events(&self, kind: &str) -> Cell {
        let (events, patients) = self.get(kind, None);
        shown(events, patients, self.1)
    }

    fn patients(&self, kind: &str, program: Option<&str>) -> Cell {
        let (_, patients) = self.get(kind, program);
        shown(patients, patients, self.1)
    }
}

/// The uptake report for a scope, from the daily rollups.
pub async fn uptake(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    scope: &Scope,
    period: (NaiveDate, NaiveDate),
) -> AppResult<Uptake> {
    let rollups = Rollups::new(db, scope, period);
    let (clinic_id, team_id) = (scope.clinic_id.as_str(), scope.team_id.as_deref());
    let mut kinds = HashMap::new();
    let by_kind = rollups
        .query(
            "kind, program_id, COUNT(DISTINCT NULLIF(patient_pseudonym, '')) AS patients, SUM(events) AS events",
            "GROUP BY kind, program_id",
        )
        .await?;
    for row in &by_kind {
        kinds.insert(
            (text(row, "kind")?, text(row, "program_id")?),
            (number(row, "patients")?, number(row, "events")?),
        );
    }
    let kinds = KindCounts(kinds, rollups.min);
    let active = rollups
        .query(
            "COUNT(DISTINCT patient_pseudonym) AS patients, COUNT(DISTINCT NULLIF(therapist_id, '')) AS therapists",
            &format!("AND patient_pseudonym <> '' AND kind IN ({PATIENT_ACTIVITY})"),
        )
        .await?;
    let (active_patients, adopting) = match active.first() {
        Some(row) => (number(row, "patients")?, number(row, "therapists")?),
        None => (0, 0),
    };
    let mut therapists = users::Entity::find()
        .filter(users::Column::ClinicId.eq(clinic_id))
        .filter(users::Column::Role.eq("therapist"))
        .filter(users::Column::Active.eq(true));
    if let Some(team) = team_id {
        therapists = therapists.filter(users::Column::TeamId.eq(team));
    }
    let months = months(&rollups).await?;
    Ok(Uptake {
        as_of: crate::usage::rollups::updated_at(db).await?,
        from: period.0,
        to: period.1,
        team_id: team_id.map(str::to_string),
        reach: reach(&kinds),
        adoption: Adoption {
            therapists_total: therapists.count(db).await?,
            therapists_with_active_patients: adopting,
        },
        engagement: Engagement {
            active_patients: shown(active_patients, active_patients, rollups.min),
            diary_entries: kinds.events("diary.entry"),
            submissions: kinds.events("assignment.submitted"),
            module_funnel: funnel(&rollups, content).await?,
            dropped_out: kinds.patients("status.dropped_out", None),
        },
        fidelity: Fidelity {
            feedback_given: kinds.events("feedback.sent"),
            feedback_on_time: kinds.events("feedback.on_time"),
            median_feedback_latency_hours: median_latency(&rollups, &kinds).await?,
            blended_contacts: kinds.events("contact.logged"),
        },
        outcomes: Outcomes {
            completed: kinds.patients("status.completed", None),
            stepped_up: kinds.patients("status.stepped_up", None),
        },
        digital_share: match (&scope.team_id, &scope.therapist_id) {
            (None, None) => Some(super::treatments::digital_share(db, clinic_id, period, &months).await?),
            _ => None,
        },
        months,
    })
}

fn reach(kinds: &KindCounts) -> Reach {
    let mut programs: Vec<&String> =
        kinds.0.keys().filter(|(k, p)| k == "patient.enrolled" && !p.is_empty()).map(|(_, p)| p).collect();
    programs.sort();
    programs.dedup();
    Reach {
        enrolled: kinds.patients("patient.enrolled", None),
        activated: kinds.patients("patient.activated", None),
        by_program: programs
            .into_iter()
            .map(|program| ProgramReach {
                program_id: program.clone(),
                enrolled: kinds.patients("patient.enrolled", Some(program)),
                activated: kinds.patients("patient.activated", Some(program)),
            })
            .collect(),
    }
}

async fn funnel<C: ConnectionTrait>(
    rollups: &Rollups<'_, C>,
    content: &Catalogue,
) -> AppResult<Vec<FunnelStep>> {
    let per_module = |kinds: &str| {
        format!("AND module_id <> '' AND patient_pseudonym <> '' AND kind IN ({kinds}) GROUP BY module_id")
    };
    let mut counts: HashMap<(String, bool), u64> = HashMap::new();
    for (kinds, done) in [(MODULE_STARTED, false), ("'module.completed'", true)] {
        for row in rollups
            .query("module_id, COUNT(DISTINCT patient_pseudonym) AS patients", &per_module(kinds))
            .await?
        {
            counts.insert((text(&row, "module_id")?, done), number(&row, "patients")?);
        }
    }
    let mut programs: Vec<_> = content.programs().collect();
    programs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(programs
        .into_iter()
        .flat_map(|p| p.modules.iter().map(move |m| (p, m)))
        .map(|(p, m)| {
            let started = counts.get(&(m.id.clone(), false)).copied().unwrap_or(0);
            let completed = counts.get(&(m.id.clone(), true)).copied().unwrap_or(0);
            FunnelStep {
                module_id: m.id.clone(),
                program_id: p.id.clone(),
                title: m.title.clone(),
                started: shown(started, started, rollups.min),
                completed: shown(completed, completed, rollups.min),
            }
        })
        .collect())
}

/// The median of the feedback latencies, from their counts per tenth of an
/// hour; hidden when fewer than five patients received feedback.
async fn median_latency<C: ConnectionTrait>(
    rollups: &Rollups<'_, C>,
    kinds: &KindCounts,
) -> AppResult<Option<f64>> {
    if kinds.patients("feedback.sent", None).is_none() {
        return Ok(None);
    }
    let rows = rollups
        .query(
            "value_key, SUM(events) AS events",
            "AND kind = 'feedback.sent' AND value_key >= 0 GROUP BY value_key",
        )
        .await?;
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

async fn months<C: ConnectionTrait>(rollups: &Rollups<'_, C>) -> AppResult<Vec<Month>> {
    let mut out: BTreeMap<String, Month> = BTreeMap::new();
    let blank = |month: &str| Month {
        month: month.to_string(),
        enrolled: Some(0),
        active_patients: Some(0),
        diary_entries: Some(0),
        feedback_given: Some(0),
    };
    let active = rollups
        .query(
            "month, COUNT(DISTINCT patient_pseudonym) AS patients",
            &format!("AND patient_pseudonym <> '' AND kind IN ({PATIENT_ACTIVITY}) GROUP BY month"),
        )
        .await?;
    for row in &active {
        let month = text(row, "month")?;
        let patients = number(row, "patients")?;
        out.entry(month.clone()).or_insert_with(|| blank(&month)).active_patients =
            shown(patients, patients, rollups.min);
    }
    let counted = rollups
        .query(
            "month, kind, COUNT(DISTINCT NULLIF(patient_pseudonym, '')) AS patients, SUM(events) AS events",
            "AND kind IN ('patient.enrolled', 'diary.entry', 'feedback.sent') GROUP BY month, kind",
        )
        .await?;
    for row in &counted {
        let month = text(row, "month")?;
        let cell = shown(number(row, "events")?, number(row, "patients")?, rollups.min);
        let entry = out.entry(month.clone()).or_insert_with(|| blank(&month));
        match text(row, "kind")?.as_str() {
            "patient.enrolled" => {
                entry.enrolled = shown(number(row, "patients")?, number(row, "patients")?, rollups.min)
            }
            "diary.entry" => entry.diary_entries = cell,
            _ => entry.feedback_given = cell,
        }
    }
    Ok(out.into_values().collect())
}
