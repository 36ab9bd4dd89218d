//! Writing and searching audit rows.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::{accounts::Role, entities::audit_log, error::AppResult, ids, web::ClientInfo};

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
