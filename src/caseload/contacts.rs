//! Face-to-face and phone contacts beside the online program (blended care):
//! logged by the therapist, shown on the timeline and counted in reports.

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::{
    accounts::Role,
    audit,
    auth::Principal,
    entities::{contacts, enrollments, states::ContactKind},
    error::{AppError, AppResult, FieldErrors},
    ids,
    state::AppState,
    usage::{self, UsageEvent},
    web::ClientInfo,
};

pub struct NewContact<'a> {
    pub kind: &'a str,
    pub held_on: &'a str,
    pub minutes: &'a str,
    pub note: &'a str,
}

pub async fn log_contact(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    new: NewContact<'_>,
    client: &ClientInfo,
) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    let kind = ContactKind::parse(new.kind);
    if kind.is_none() {
        errors.insert("kind".into(), vec!["Choose face to face, phone or video.".into()]);
    }
    let held_on = NaiveDate::parse_from_str(new.held_on.trim(), "%Y-%m-%d").ok();
    let today = crate::diaries::service::today(state);
    if held_on.is_none_or(|d| d > today) {
        errors.insert("held_on".into(), vec!["Enter the date of the contact, today or earlier.".into()]);
    }
    let minutes = new.minutes.trim().parse::<i32>().ok().filter(|m| (1..=600).contains(m));
    if minutes.is_none() {
        errors.insert("minutes".into(), vec!["Enter the length in minutes, from 1 to 600.".into()]);
    }
    if new.note.chars().count() > 1000 {
        errors.insert("note".into(), vec!["Keep the note to 1000 characters.".into()]);
    }
    let (Some(kind), Some(held_on), Some(minutes), true) = (kind, held_on, minutes, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = contacts::ActiveModel {
        id: Set(ids::new_id()),
        enrollment_id: Set(enrollment.id.clone()),
        therapist_id: Set(therapist.id().to_string()),
        kind: Set(kind),
        held_on: Set(held_on),
        minutes: Set(minutes),
        note: Set(Some(new.note.trim().to_string()).filter(|n| !n.is_empty())),
        created_at: Set(now),
    };
    contacts::Entity::insert(row).exec_without_returning(&txn).await?;
    let event = UsageEvent::new("contact.logged").value(f64::from(minutes));
    usage::record(&txn, enrollment, Role::Therapist, event, now).await?;
    audit::record(
        &txn,
        therapist.audit("patient.contact_logged").target("patient", &enrollment.id),
        client,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn list(db: &impl ConnectionTrait, enrollment_id: &str) -> AppResult<Vec<contacts::Model>> {
    Ok(contacts::Entity::find()
        .filter(contacts::Column::EnrollmentId.eq(enrollment_id))
        .order_by_desc(contacts::Column::HeldOn)
        .all(db)
        .await?)
}
