//! Whose clock a person reads by: their own chosen zone, else their clinic's,
//! else the deployment's (`care.timezone`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    entities::{clinics, users},
    error::{AppError, AppResult},
    web::local_time::chosen_zone,
};

/// The zone `user` reads dates and times in.
pub async fn reading_zone(db: &impl ConnectionTrait, user: &users::Model, deployment: Tz) -> AppResult<Tz> {
    if let Some(own) = user.timezone.as_deref().and_then(|name| name.parse().ok()) {
        return Ok(own);
    }
    match user.clinic_id.as_deref() {
        Some(clinic_id) => clinic_zone(db, clinic_id, deployment).await,
        None => Ok(deployment),
    }
}

/// The clinic's zone, for everyone there who has chosen none.
pub async fn clinic_zone(db: &impl ConnectionTrait, clinic_id: &str, deployment: Tz) -> AppResult<Tz> {
    let zone: Option<Option<String>> = clinics::Entity::find_by_id(clinic_id)
        .select_only()
        .column(clinics::Column::Timezone)
        .into_tuple()
        .one(db)
        .await?;
    Ok(zone.flatten().and_then(|name| name.parse().ok()).unwrap_or(deployment))
}

/// A zone as the form sent it: one of the chosen list, or empty for "the
/// clinic's" (`None`).
pub fn parse_choice(field: &'static str, name: &str) -> AppResult<Option<Tz>> {
    if name.trim().is_empty() {
        return Ok(None);
    }
    chosen_zone(name.trim())
        .map(Some)
        .ok_or_else(|| AppError::field(field, "Choose a time zone from the list."))
}

pub async fn set_own_zone(
    db: &impl ConnectionTrait,
    user_id: &str,
    zone: Option<Tz>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::Timezone, zone.map(|z| z.name().to_string()).into())
        .col_expr(users::Column::UpdatedAt, now.into())
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_clinic_zone(db: &impl ConnectionTrait, clinic_id: &str, zone: Option<Tz>) -> AppResult<()> {
    clinics::Entity::update_many()
        .col_expr(clinics::Column::Timezone, zone.map(|z| z.name().to_string()).into())
        .filter(clinics::Column::Id.eq(clinic_id))
        .exec(db)
        .await?;
    Ok(())
}
