//! Searching the log as a privacy officer asks: by a person (part of a name
//! or e-mail address, as actor or as the one acted on), by a patient's case
//! code, by action and by period, a page at a time.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Expr, Func},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::{
    accounts::Role,
    entities::{audit_log, enrollments, users},
    error::{AppError, AppResult},
};

/// Filters for searching the log; every field optional.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Part of a person's name or e-mail address: entries by them or about them.
    pub person: Option<String>,
    /// A patient's case code: every entry about that patient.
    pub case_code: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub target_id: Option<String>,
    pub clinic_id: Option<String>,
    /// First day, inclusive (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD).
    pub to: Option<String>,
    /// 1 for the newest entries.
    pub page: Option<u64>,
}

pub const PAGE_SIZE: u64 = 100;
/// How many people a name search may match before it must be narrowed.
const MAX_PEOPLE: u64 = 500;

/// One page of matching rows, newest first.
pub struct AuditResults {
    pub rows: Vec<audit_log::Model>,
    pub page: u64,
    pub has_more: bool,
}

pub async fn search(db: &impl ConnectionTrait, query: &AuditQuery) -> AppResult<AuditResults> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let page = query.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(AppError::field("page", "Pages are numbered from 1."));
    }
    let mut select = audit_log::Entity::find();
    if let Some(person) = text(&query.person) {
        let ids = people_matching(db, &person).await?;
        select = select.filter(
            Condition::any()
                .add(audit_log::Column::ActorId.is_in(ids.clone()))
                .add(audit_log::Column::TargetId.is_in(ids)),
        );
    }
    if let Some(code) = text(&query.case_code) {
        select = select.filter(audit_log::Column::TargetId.is_in(patient_ids(db, &code).await?));
    }
    if let Some(actor) = text(&query.actor_id) {
        select = select.filter(audit_log::Column::ActorId.eq(actor));
    }
    if let Some(action) = text(&query.action) {
        select = select.filter(audit_log::Column::Action.starts_with(action));
    }
    if let Some(target) = text(&query.target_id) {
        select = select.filter(audit_log::Column::TargetId.eq(target));
    }
    if let Some(clinic) = text(&query.clinic_id) {
        select = select.filter(audit_log::Column::ClinicId.eq(clinic));
    }
    if let Some(from) = text(&query.from) {
        select = select.filter(audit_log::Column::At.gte(day_start("from", &from)?));
    }
    if let Some(to) = text(&query.to) {
        select = select.filter(audit_log::Column::At.lt(day_start("to", &to)? + chrono::Duration::days(1)));
    }
    let mut rows = select
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(AuditResults { rows, page, has_more })
}

/// Everyone whose name or e-mail address holds `part` (any case), with the
/// enrollments of those who are patients: entries about a patient name the
/// enrollment.
async fn people_matching(db: &impl ConnectionTrait, part: &str) -> AppResult<Vec<String>> {
    let pattern = format!("%{}%", part.to_lowercase());
    let lower = |column: users::Column| Expr::expr(Func::lower(Expr::col((users::Entity, column))));
    let people: Vec<String> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(
            Condition::any()
                .add(lower(users::Column::Email).like(pattern.as_str()))
                .add(lower(users::Column::Name).like(pattern.as_str())),
        )
        .limit(MAX_PEOPLE)
        .into_tuple()
        .all(db)
        .await?;
    let enrollments: Vec<String> = enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::Id)
        .filter(enrollments::Column::PatientId.is_in(people.clone()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(people.into_iter().chain(enrollments).collect())
}

/// The enrollments with case code `code` (any case) and their patients.
async fn patient_ids(db: &impl ConnectionTrait, code: &str) -> AppResult<Vec<String>> {
    let lower = Expr::expr(Func::lower(Expr::col((enrollments::Entity, enrollments::Column::CaseCode))));
    let found: Vec<(String, String)> = enrollments::Entity::find()
        .select_only()
        .column(enrollments::Column::Id)
        .column(enrollments::Column::PatientId)
        .filter(lower.eq(code.to_lowercase()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().flat_map(|(enrollment, patient)| [enrollment, patient]).collect())
}

/// How the page names the people and patients on it: "Name (e-mail)" for
/// users, the case code for enrollments.
pub async fn names_for(
    db: &impl ConnectionTrait,
    rows: &[audit_log::Model],
) -> AppResult<std::collections::HashMap<String, String>> {
    let ids: Vec<String> =
        rows.iter().flat_map(|r| [r.actor_id.clone(), r.target_id.clone()]).flatten().collect();
    let mut names = std::collections::HashMap::new();
    for user in users::Entity::find().filter(users::Column::Id.is_in(ids.clone())).all(db).await? {
        let shown = if user.name.trim().is_empty() {
            user.email.clone()
        } else {
            format!("{} ({})", user.name, user.email)
        };
        names.insert(user.id, shown);
    }
    for e in enrollments::Entity::find().filter(enrollments::Column::Id.is_in(ids)).all(db).await? {
        names.insert(e.id, e.case_code);
    }
    Ok(names)
}

fn day_start(field: &str, value: &str) -> AppResult<DateTime<Utc>> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
        .map_err(|_| AppError::field(field, "Use a date such as 2026-03-02."))
}

/// An audit row as the API and the admin page show it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_role: Option<Role>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub clinic_id: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub detail: Option<String>,
}

impl From<audit_log::Model> for AuditRow {
    fn from(m: audit_log::Model) -> Self {
        AuditRow {
            id: m.id,
            at: m.at,
            actor_id: m.actor_id,
            actor_role: m.actor_role,
            action: m.action,
            target_kind: m.target_kind,
            target_id: m.target_id,
            clinic_id: m.clinic_id,
            ip: m.ip,
            request_id: m.request_id,
            detail: m.detail,
        }
    }
}
