//! Cover: while a therapist is away (holiday, illness) a colleague of the
//! same team sees and acts on their patients, for the dates given and no
//! longer. Patients see who is covering.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::{
    accounts::Role,
    audit,
    auth::Principal,
    entities::{covers, users},
    error::{AppError, AppResult, FieldErrors},
    ids,
    state::AppState,
    web::ClientInfo,
};

/// Therapists whose patients `cover_id` looks after on `day`.
pub async fn covering_for(
    db: &impl ConnectionTrait,
    cover_id: &str,
    day: NaiveDate,
) -> AppResult<Vec<String>> {
    Ok(covers::Entity::find()
        .filter(covers::Column::CoverId.eq(cover_id))
        .filter(covers::Column::StartsOn.lte(day))
        .filter(covers::Column::EndsOn.gte(day))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.absent_id)
        .collect())
}

/// The colleague covering for `therapist_id` on `day`, if any.
pub async fn cover_of(
    db: &impl ConnectionTrait,
    therapist_id: &str,
    day: NaiveDate,
) -> AppResult<Option<covers::Model>> {
    Ok(covers::Entity::find()
        .filter(covers::Column::AbsentId.eq(therapist_id))
        .filter(covers::Column::StartsOn.lte(day))
        .filter(covers::Column::EndsOn.gte(day))
        .one(db)
        .await?)
}

/// Hands the caseload of `absent` to a colleague of the same team.
pub async fn arrange(
    state: &AppState,
    absent: &Principal,
    cover_email: &str,
    starts_on: &str,
    ends_on: &str,
    client: &ClientInfo,
) -> AppResult<covers::Model> {
    absent.require(&[Role::Therapist])?;
    let mut errors = FieldErrors::new();
    let colleague = crate::accounts::service::find_user_by_email(&state.db, cover_email)
        .await?
        .filter(|u| u.active && u.role == Role::Therapist && u.id != absent.id())
        .filter(|u| {
            u.clinic_id == absent.user.clinic_id && u.team_id.is_some() && u.team_id == absent.user.team_id
        });
    if colleague.is_none() {
        errors.insert("cover".into(), vec!["Choose a therapist of your own team.".into()]);
    }
    let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (start, end) = (parse(starts_on), parse(ends_on));
    if start.is_none() {
        errors.insert("starts_on".into(), vec!["Enter the first day, such as 2026-07-06.".into()]);
    }
    if end.is_none() || end < start {
        errors.insert("ends_on".into(), vec!["Enter the last day, on or after the first.".into()]);
    }
    let (Some(colleague), Some(start), Some(end)) = (colleague, start, end) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = covers::ActiveModel {
        id: Set(ids::new_id()),
        clinic_id: Set(absent.clinic_id().unwrap_or_default().to_string()),
        absent_id: Set(absent.id().to_string()),
        cover_id: Set(colleague.id.clone()),
        starts_on: Set(start),
        ends_on: Set(end),
        created_at: Set(now),
    };
    let cover = covers::Entity::insert(row).exec_with_returning(&txn).await?;
    let entry =
        absent.audit("cover.arranged").target("user", &colleague.id).detail(format!("{start}..{end}"));
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(cover)
}

/// The covering colleague's name, for the patient's absence notice.
pub async fn cover_name(db: &impl ConnectionTrait, cover: &covers::Model) -> AppResult<String> {
    Ok(users::Entity::find_by_id(cover.cover_id.clone()).one(db).await?.map(|u| u.name).unwrap_or_default())
}
