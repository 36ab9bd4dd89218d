//! Writing and searching audit rows.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::{
    accounts::Role,
    entities::audit_log,
    error::{AppError, AppResult},
    ids,
    web::ClientInfo,
};

/// One thing that happened, by whom, to what. `detail` is a short
/// machine-readable note and never holds clinical content.
#[derive(Clone, Debug, Default)]
pub struct AuditEntry {
    pub actor_id: Option<String>,
    pub actor_role: Option<Role>,
    pub action: &'static str,
    pub target_kind: Option<&'static str>,
    pub target_id: Option<String>,
    pub clinic_id: Option<String>,
    pub detail: Option<String>,
}

impl AuditEntry {
    pub fn new(action: &'static str) -> Self {
        AuditEntry { action, ..Default::default() }
    }

    pub fn by(mut self, user_id: &str, role: Role) -> Self {
        self.actor_id = Some(user_id.to_string());
        self.actor_role = Some(role);
        self
    }

    pub fn target(mut self, kind: &'static str, id: &str) -> Self {
        self.target_kind = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    pub fn clinic(mut self, clinic_id: Option<&str>) -> Self {
        self.clinic_id = clinic_id.map(str::to_string);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Appends `entry`, in the caller's transaction when given one.
pub async fn record(
    db: &impl ConnectionTrait,
    entry: AuditEntry,
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = audit_log::ActiveModel {
        id: Set(ids::new_id()),
        at: Set(now),
        actor_id: Set(entry.actor_id),
        actor_role: Set(entry.actor_role),
        action: Set(entry.action.to_string()),
        target_kind: Set(entry.target_kind.map(str::to_string)),
        target_id: Set(entry.target_id),
        clinic_id: Set(entry.clinic_id),
        ip: Set(client.ip.clone()),
        request_id: Set(client.request_id.clone()),
        detail: Set(entry.detail.map(|d| d.chars().take(500).collect())),
    };
    audit_log::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// Filters for searching the log; every field optional.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
pub struct AuditQuery {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub target_id: Option<String>,
    pub clinic_id: Option<String>,
    /// First day, inclusive (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD).
    pub to: Option<String>,
}

pub const PAGE_SIZE: u64 = 200;

/// The newest matching rows first, at most `PAGE_SIZE`.
pub async fn search(db: &impl ConnectionTrait, query: &AuditQuery) -> AppResult<Vec<audit_log::Model>> {
    let mut select = audit_log::Entity::find();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
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
    Ok(select
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(PAGE_SIZE)
        .all(db)
        .await?)
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
