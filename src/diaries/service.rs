//! Writing and reading diary entries.

use chrono::{Duration, NaiveDate};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
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
    entities::{diary_entries, enrollments},
    error::{AppError, AppResult},
    ids,
    progress::service::{self as progress, Progress},
    state::AppState,
    usage::{self, UsageEvent},
};

/// The patient's today, in the care time zone.
pub fn today(state: &AppState) -> NaiveDate {
    state.clock.now().with_timezone(&state.settings.care.timezone).date_naive()
}

/// Whether an entry was made or an existing one changed.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Created(String),
    Updated(String),
}

/// Saves the entry for `date` (today or yesterday), replacing an earlier
/// entry for that day.
pub async fn save_entry(
    state: &AppState,
    enrollment: &enrollments::Model,
    diary_id: &str,
    date: &str,
    given: &Map<String, Value>,
) -> AppResult<Saved> {
    let program = progress::program_of(&state.content, enrollment)?;
    let current = Progress::load(&state.db, &enrollment.id).await?;
    let (module, item) = progress::open_item(program, &current, diary_id, Some(ItemKind::Diary))?;
    let ItemBody::Form(form) = &item.body else { return Err(AppError::NotFound) };
    let date = entry_date(state, date)?;
    let clean = answers::validate(&form.fields, given, Completeness::Final).map_err(AppError::Invalid)?;
    let body = serde_json::to_string(&clean).map_err(|e| AppError::Internal(e.into()))?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    // Insert-or-nothing first, so two posts for the same day at once never
    // make two entries; the loser of the race updates the winner's row.
    let id = ids::new_id();
    let row = diary_entries::ActiveModel {
        id: Set(id.clone()),
        enrollment_id: Set(enrollment.id.clone()),
        diary_id: Set(diary_id.to_string()),
        entry_date: Set(date),
        content_version: Set(state.content.version.clone()),
        entry_values: Set(body.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        reviewed_at: Set(None),
    };
    let inserted = diary_entries::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                diary_entries::Column::EnrollmentId,
                diary_entries::Column::DiaryId,
                diary_entries::Column::EntryDate,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    let saved = if inserted == 1 {
        let event = UsageEvent::new("diary.entry").module(&module.id).item(diary_id);
        usage::record(&txn, enrollment, Role::Patient, event, now).await?;
        digests::notify(&txn, enrollment, NotificationKind::DiaryEntry, Some(diary_id), now).await?;
        digests::reminders::answered(&txn, &enrollment.id).await?;
        Saved::Created(id)
    } else {
        let version = state.content.version.clone();
        Saved::Updated(replace_entry(&txn, &enrollment.id, diary_id, date, body, version, now).await?)
    };
    enrollment::service::touch(&txn, &enrollment.id, now).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The day an entry is for: today or yesterday, in the care time zone.
fn entry_date(state: &AppState, date: &str) -> AppResult<NaiveDate> {
    let today = today(state);
    let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("date", "Enter a date such as 2026-03-02."))?;
    if date != today && date != today - Duration::days(1) {
        return Err(AppError::field("date", "You can fill in today's and yesterday's diary."));
    }
    Ok(date)
}

/// Puts `body` in place of the answers of the day's entry; returns its id.
async fn replace_entry(
    txn: &sea_orm::DatabaseTransaction,
    enrollment_id: &str,
    diary_id: &str,
    date: NaiveDate,
    body: String,
    version: String,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<String> {
    let entry = diary_entries::Entity::find()
        .filter(diary_entries::Column::EnrollmentId.eq(enrollment_id))
        .filter(diary_entries::Column::DiaryId.eq(diary_id))
        .filter(diary_entries::Column::EntryDate.eq(date))
        .one(txn)
        .await?
        .ok_or(AppError::Conflict("the diary entry changed while saving; try again".into()))?;
    diary_entries::Entity::update_many()
        .col_expr(diary_entries::Column::EntryValues, body.into())
        .col_expr(diary_entries::Column::UpdatedAt, now.into())
        .col_expr(diary_entries::Column::ContentVersion, version.into())
        .filter(diary_entries::Column::Id.eq(&entry.id))
        .exec(txn)
        .await?;
    Ok(entry.id)
}

/// Entries of one diary (or all diaries with `None`), newest first.
pub async fn entries(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    diary_id: Option<&str>,
    limit: Option<u64>,
) -> AppResult<Vec<diary_entries::Model>> {
    let mut select =
        diary_entries::Entity::find().filter(diary_entries::Column::EnrollmentId.eq(enrollment_id));
    if let Some(diary) = diary_id {
        select = select.filter(diary_entries::Column::DiaryId.eq(diary));
    }
    Ok(select
        .order_by_desc(diary_entries::Column::EntryDate)
        .order_by_desc(diary_entries::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?)
}
