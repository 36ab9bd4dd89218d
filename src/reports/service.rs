//! The uptake report (API.md `GET /api/v1/reports/uptake`), organised by
//! RE-AIM, built from the append-only usage events of one clinic: never from
//! clinical content, never naming a patient. A figure that rests on one to
//! four patients is suppressed (null), so no individual can be singled out.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};

use crate::{
    content::Catalogue,
    entities::{usage_events, users},
    error::{AppError, AppResult},
};

/// Cells resting on fewer patients than this (but more than none) are hidden.
pub const SUPPRESS_BELOW: u64 = 5;

/// Which part of a clinic's history a report covers.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
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
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub team_id: Option<String>,
    pub reach: Reach,
    pub adoption: Adoption,
    pub engagement: Engagement,
    pub fidelity: Fidelity,
    pub outcomes: Outcomes,
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
    pub active_patients: Cell,
    pub diary_entries: Cell,
    pub feedback_given: Cell,
}

/// One usage event, as far as a report needs it.
#[derive(Clone, Debug, sea_orm::FromQueryResult)]
struct EventRow {
    kind: String,
    patient_pseudonym: Option<String>,
    therapist_id: Option<String>,
    program_id: Option<String>,
    module_id: Option<String>,
    value: Option<f64>,
    at: DateTime<Utc>,
}

/// The clinic's usage events in the period.
struct Events {
    rows: Vec<EventRow>,
}

impl Events {
    /// Events of `kinds` (all when empty).
    fn of<'a>(&'a self, kinds: &'a [&str]) -> impl Iterator<Item = &'a EventRow> {
        self.rows.iter().filter(move |r| kinds.is_empty() || kinds.contains(&r.kind.as_str()))
    }
}

/// What patients do, as opposed to what is done for them.
const PATIENT_ACTIVITY: [&str; 7] = [
    "login",
    "page.completed",
    "diary.entry",
    "assignment.submitted",
    "questionnaire.completed",
    "message.sent",
    "message.read",
];

/// Counts events of `kinds`, suppressed when they rest on 1–4 patients.
fn count(events: &Events, kinds: &[&str]) -> Cell {
    let patients: HashSet<_> = events.of(kinds).filter_map(|r| r.patient_pseudonym.as_deref()).collect();
    shown(events.of(kinds).count() as u64, patients.len() as u64)
}

/// Distinct patients with events of `kinds`.
fn patients(events: &Events, kinds: &[&str]) -> Cell {
    let distinct: HashSet<_> = events.of(kinds).filter_map(|r| r.patient_pseudonym.as_deref()).collect();
    shown(distinct.len() as u64, distinct.len() as u64)
}

fn shown(value: u64, patients: u64) -> Cell {
    (patients == 0 || patients >= SUPPRESS_BELOW).then_some(value)
}

/// The period's bounds as instants in the clinic's time zone.
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

fn start_of(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map_or_else(|| day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(), |t| t.with_timezone(&Utc))
}

/// The uptake report for `clinic_id`.
pub async fn uptake(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    tz: Tz,
    clinic_id: &str,
    (from, to): (NaiveDate, NaiveDate),
    team_id: Option<&str>,
) -> AppResult<Uptake> {
    let mut select = usage_events::Entity::find()
        .select_only()
        .columns([
            usage_events::Column::Kind,
            usage_events::Column::PatientPseudonym,
            usage_events::Column::TherapistId,
            usage_events::Column::ProgramId,
            usage_events::Column::ModuleId,
            usage_events::Column::Value,
            usage_events::Column::At,
        ])
        .filter(usage_events::Column::ClinicId.eq(clinic_id))
        .filter(usage_events::Column::At.gte(start_of(from, tz)))
        .filter(usage_events::Column::At.lt(start_of(to + Duration::days(1), tz)));
    if let Some(team) = team_id {
        select = select.filter(usage_events::Column::TeamId.eq(team));
    }
    let events = Events { rows: select.into_model::<EventRow>().all(db).await? };
    let mut therapists = users::Entity::find()
        .filter(users::Column::ClinicId.eq(clinic_id))
        .filter(users::Column::Role.eq("therapist"))
        .filter(users::Column::Active.eq(true));
    if let Some(team) = team_id {
        therapists = therapists.filter(users::Column::TeamId.eq(team));
    }
    let therapists_total = therapists.count(db).await?;
    Ok(Uptake {
        from,
        to,
        team_id: team_id.map(str::to_string),
        reach: reach(&events),
        adoption: Adoption { therapists_total, therapists_with_active_patients: adopting(&events) },
        engagement: engagement(&events, content),
        fidelity: fidelity(&events),
        outcomes: Outcomes {
            completed: count(&events, &["status.completed"]),
            stepped_up: count(&events, &["status.stepped_up"]),
        },
        months: months(&events, tz),
    })
}

fn reach(events: &Events) -> Reach {
    let mut programs: BTreeMap<String, (HashSet<&str>, HashSet<&str>)> = BTreeMap::new();
    for row in events.of(&["patient.enrolled", "patient.activated"]) {
        let (Some(patient), Some(program)) = (row.patient_pseudonym.as_deref(), row.program_id.clone())
        else {
            continue;
        };
        let entry = programs.entry(program).or_default();
        if row.kind == "patient.enrolled" {
            entry.0.insert(patient);
        } else {
            entry.1.insert(patient);
        }
    }
    Reach {
        enrolled: patients(events, &["patient.enrolled"]),
        activated: patients(events, &["patient.activated"]),
        by_program: programs
            .into_iter()
            .map(|(program_id, (enrolled, activated))| ProgramReach {
                program_id,
                enrolled: shown(enrolled.len() as u64, enrolled.len() as u64),
                activated: shown(activated.len() as u64, activated.len() as u64),
            })
            .collect(),
    }
}

/// Therapists whose patients did anything in the period.
fn adopting(events: &Events) -> u64 {
    events.of(&PATIENT_ACTIVITY).filter_map(|r| r.therapist_id.as_deref()).collect::<HashSet<_>>().len()
        as u64
}

fn engagement(events: &Events, content: &Catalogue) -> Engagement {
    let active_patients = patients(events, &PATIENT_ACTIVITY);
    let mut started: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut completed: HashMap<&str, HashSet<&str>> = HashMap::new();
    for row in events.of(&[]) {
        let (Some(patient), Some(module)) = (row.patient_pseudonym.as_deref(), row.module_id.as_deref())
        else {
            continue;
        };
        match row.kind.as_str() {
            "module.completed" => completed.entry(module).or_default().insert(patient),
            "page.viewed" | "page.completed" | "diary.entry" | "assignment.submitted" | "module.opened" => {
                started.entry(module).or_default().insert(patient)
            }
            _ => false,
        };
    }
    let mut programs: Vec<_> = content.programs().collect();
    programs.sort_by(|a, b| a.id.cmp(&b.id));
    let module_funnel = programs
        .into_iter()
        .flat_map(|p| p.modules.iter().map(move |m| (p, m)))
        .map(|(p, m)| {
            let s = started.get(m.id.as_str()).map_or(0, |p| p.len() as u64);
            let c = completed.get(m.id.as_str()).map_or(0, |p| p.len() as u64);
            FunnelStep {
                module_id: m.id.clone(),
                program_id: p.id.clone(),
                title: m.title.clone(),
                started: shown(s, s),
                completed: shown(c, c),
            }
        })
        .collect();
    Engagement {
        active_patients,
        diary_entries: count(events, &["diary.entry"]),
        submissions: count(events, &["assignment.submitted"]),
        module_funnel,
        dropped_out: count(events, &["status.dropped_out"]),
    }
}

fn fidelity(events: &Events) -> Fidelity {
    let feedback_given = count(events, &["feedback.sent"]);
    let mut latencies: Vec<f64> = events.of(&["feedback.sent"]).filter_map(|r| r.value).collect();
    latencies.sort_by(f64::total_cmp);
    let behind: HashSet<_> =
        events.of(&["feedback.sent"]).filter_map(|r| r.patient_pseudonym.as_deref()).collect();
    let median = match latencies.len() {
        0 => None,
        n if n % 2 == 1 => Some(latencies[n / 2]),
        n => Some((latencies[n / 2 - 1] + latencies[n / 2]) / 2.0),
    };
    Fidelity {
        feedback_given,
        feedback_on_time: count(events, &["feedback.on_time"]),
        median_feedback_latency_hours: median
            .filter(|_| behind.len() as u64 >= SUPPRESS_BELOW)
            .map(|h| (h * 10.0).round() / 10.0),
        blended_contacts: count(events, &["contact.logged"]),
    }
}

fn months(events: &Events, tz: Tz) -> Vec<Month> {
    let mut by_month: BTreeMap<String, Vec<EventRow>> = BTreeMap::new();
    for row in events.of(&[]) {
        let local = row.at.with_timezone(&tz);
        by_month.entry(format!("{:04}-{:02}", local.year(), local.month())).or_default().push(row.clone());
    }
    by_month
        .into_iter()
        .map(|(month, rows)| {
            let slice = Events { rows };
            Month {
                month,
                active_patients: patients(&slice, &PATIENT_ACTIVITY),
                diary_entries: count(&slice, &["diary.entry"]),
                feedback_given: count(&slice, &["feedback.sent"]),
            }
        })
        .collect()
}
