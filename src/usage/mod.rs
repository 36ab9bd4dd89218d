//! Usage events: an append-only record of what happened, by role, clinic,
//! team, therapist and pseudonymous patient, never with clinical content.
//! Written in the same transaction as the action; reports are built on them.

pub mod feedback_due;
pub mod rollups;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::{
    accounts::Role,
    entities::{enrollments, usage_events},
    error::AppResult,
    ids,
};

/// One event, described by its kind (e.g. `diary.entry`) and what it concerns.
#[derive(Clone, Debug, Default)]
pub struct UsageEvent<'a> {
    pub kind: &'a str,
    pub module_id: Option<&'a str>,
    pub item_id: Option<&'a str>,
    pub value: Option<f64>,
}

impl<'a> UsageEvent<'a> {
    pub fn new(kind: &'a str) -> Self {
        UsageEvent { kind, ..Default::default() }
    }

    pub fn module(mut self, module_id: &'a str) -> Self {
        self.module_id = Some(module_id);
        self
    }

    pub fn item(mut self, item_id: &'a str) -> Self {
        self.item_id = Some(item_id);
        self
    }

    pub fn value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }
}

/// Records an event about an enrollment, by `role`.
pub async fn record(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    role: Role,
    event: UsageEvent<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    usage_events::Entity::insert(row(enrollment, role, event, now)).exec_without_returning(db).await?;
    Ok(())
}

/// A login, by role. Staff logins carry their clinic (and a therapist's own
/// id); a patient's carries the pseudonym of their enrollment.
pub async fn record_login(
    db: &impl ConnectionTrait,
    user: &crate::entities::users::Model,
    role: Role,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let enrollment = if role == Role::Patient {
        enrollments::Entity::find().filter(enrollments::Column::PatientId.eq(&user.id)).one(db).await?
    } else {
        None
    };
    let row = match &enrollment {
        Some(enrollment) => row(enrollment, role, UsageEvent::new("login"), now),
        None => usage_events::ActiveModel {
            id: Set(ids::new_id()),
            at: Set(now),
            clinic_id: Set(user.clinic_id.clone()),
            team_id: Set(user.team_id.clone()),
            therapist_id: Set((role == Role::Therapist).then(|| user.id.clone())),
            patient_pseudonym: Set(None),
            actor_role: Set(role),
            kind: Set("login".into()),
            program_id: Set(None),
            module_id: Set(None),
            item_id: Set(None),
            value: Set(None),
        },
    };
    usage_events::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// Records many events at once (the digest worker's batches).
pub async fn record_many(db: &impl ConnectionTrait, rows: Vec<usage_events::ActiveModel>) -> AppResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(200).collect();
        usage_events::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The row for an event about an enrollment.
pub fn row(
    enrollment: &enrollments::Model,
    role: Role,
    event: UsageEvent<'_>,
    now: DateTime<Utc>,
) -> usage_events::ActiveModel {
    usage_events::ActiveModel {
        id: Set(ids::new_id()),
        at: Set(now),
        clinic_id: Set(Some(enrollment.clinic_id.clone())),
        team_id: Set(enrollment.team_id.clone()),
        therapist_id: Set(Some(enrollment.therapist_id.clone())),
        patient_pseudonym: Set(Some(enrollment.pseudonym.clone())),
        actor_role: Set(role),
        kind: Set(event.kind.to_string()),
        program_id: Set(Some(enrollment.program_id.clone())),
        module_id: Set(event.module_id.map(str::to_string)),
        item_id: Set(event.item_id.map(str::to_string)),
        value: Set(event.value),
    }
}
