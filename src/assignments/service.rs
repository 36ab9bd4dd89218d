//! Saving drafts and submitting assignments.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::{Map, Value};

use crate::{
    accounts::Role,
    content::{
        answers::{self, Completeness},
        ItemBody, ItemKind,
    },
    digests::{self, NotificationKind},
    enrollment,
    entities::{enrollments, states::SubmissionStatus, submissions},
    error::{AppError, AppResult},
    ids,
    progress::service::{self as progress, Progress},
    state::AppState,
    usage::{self, UsageEvent},
};

/// Checks and stores answers: as a draft (required fields may wait), or as
/// the submission the therapist sees. Returns the submission id.
pub async fn save(
    state: &AppState,
    enrollment: &enrollments::Model,
    item_id: &str,
    given: &Map<String, Value>,
    completeness: Completeness,
) -> AppResult<String> {
    let program = progress::program_of(&state.content, enrollment)?;
    let current = Progress::load(&state.db, &enrollment.id).await?;
    let (module, item) = progress::open_item(program, &current, item_id, Some(ItemKind::Assignment))?;
    let ItemBody::Form(form) = &item.body else { return Err(AppError::NotFound) };
    let clean = answers::validate(&form.fields, given, completeness).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let body = serde_json::to_string(&clean).map_err(|e| AppError::Internal(e.into()))?;
    let txn = state.db.begin().await?;
    let status = if completeness == Completeness::Final {
        SubmissionStatus::Submitted
    } else {
        SubmissionStatus::Draft
    };
    let id = store(&txn, &enrollment.id, item_id, (body, status), &state.content.version, now).await?;
    if completeness == Completeness::Final {
        let event = UsageEvent::new("assignment.submitted").module(&module.id).item(item_id);
        usage::record(&txn, enrollment, Role::Patient, event, now).await?;
        digests::notify(&txn, enrollment, NotificationKind::Submission, Some(item_id), now).await?;
        progress::item_done(&txn, &state.content, enrollment, module, now).await?;
    }
    enrollment::service::touch(&txn, &enrollment.id, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// Writes the answers over the item's draft, or as a new row when there is
/// none; returns the row's id.
async fn store(
    txn: &sea_orm::DatabaseTransaction,
    enrollment_id: &str,
    item_id: &str,
    (body, status): (String, SubmissionStatus),
    version: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<String> {
    let draft = submissions::Entity::find()
        .filter(submissions::Column::EnrollmentId.eq(enrollment_id))
        .filter(submissions::Column::ItemId.eq(item_id))
        .filter(submissions::Column::Status.eq(SubmissionStatus::Draft))
        .one(txn)
        .await?;
    let submitted_at = (status == SubmissionStatus::Submitted).then_some(now);
    if let Some(draft) = draft {
        submissions::Entity::update_many()
            .col_expr(submissions::Column::Answers, body.into())
            .col_expr(submissions::Column::Status, status.into())
            .col_expr(submissions::Column::ContentVersion, version.into())
            .col_expr(submissions::Column::UpdatedAt, now.into())
            .col_expr(submissions::Column::SubmittedAt, submitted_at.into())
            .filter(submissions::Column::Id.eq(&draft.id))
            .exec(txn)
            .await?;
        return Ok(draft.id);
    }
    let row = submissions::ActiveModel {
        id: Set(ids::new_id()),
        enrollment_id: Set(enrollment_id.to_string()),
        item_id: Set(item_id.to_string()),
        content_version: Set(version.to_string()),
        answers: Set(body),
        status: Set(status),
        created_at: Set(now),
        updated_at: Set(now),
        submitted_at: Set(submitted_at),
        reviewed_at: Set(None),
    };
    Ok(submissions::Entity::insert(row).exec_with_returning(txn).await?.id)
}

/// The saved draft of an assignment, if any.
pub async fn draft(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    item_id: &str,
) -> AppResult<Option<Map<String, Value>>> {
    let row = submissions::Entity::find()
        .filter(submissions::Column::EnrollmentId.eq(enrollment_id))
        .filter(submissions::Column::ItemId.eq(item_id))
        .filter(submissions::Column::Status.eq(SubmissionStatus::Draft))
        .one(db)
        .await?;
    Ok(row.and_then(|r| serde_json::from_str(&r.answers).ok()))
}

/// The answers the patient last sent for an assignment, if any.
pub async fn last_sent(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    item_id: &str,
) -> AppResult<Option<submissions::Model>> {
    Ok(submissions::Entity::find()
        .filter(submissions::Column::EnrollmentId.eq(enrollment_id))
        .filter(submissions::Column::ItemId.eq(item_id))
        .filter(submissions::Column::Status.eq(SubmissionStatus::Submitted))
        .order_by_desc(submissions::Column::SubmittedAt)
        .one(db)
        .await?)
}

/// A patient's submitted assignments, newest first.
pub async fn submitted(db: &impl ConnectionTrait, enrollment_id: &str) -> AppResult<Vec<submissions::Model>> {
    Ok(submissions::Entity::find()
        .filter(submissions::Column::EnrollmentId.eq(enrollment_id))
        .filter(submissions::Column::Status.eq(SubmissionStatus::Submitted))
        .order_by_desc(submissions::Column::SubmittedAt)
        .all(db)
        .await?)
}
