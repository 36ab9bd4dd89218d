//! Creating and finding clinics, teams and users.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use super::Role;
use crate::{
    entities::{clinics, teams, users},
    error::{AppError, AppResult},
    ids,
};

/// E-mail addresses are compared case-insensitively and stored trimmed and
/// lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausibility check; the invitation mail proves the address.
pub fn check_email(email: &str) -> Result<(), String> {
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err("Enter an e-mail address such as name@example.org.".into())
    }
}

pub async fn create_clinic(
    db: &impl ConnectionTrait,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<clinics::Model> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::field("name", "Enter a name of 1 to 200 characters."));
    }
    if clinics::Entity::find().filter(clinics::Column::Name.eq(name)).one(db).await?.is_some() {
        return Err(AppError::field("name", "A clinic with this name exists already."));
    }
    let clinic = clinics::ActiveModel {
        id: Set(ids::new_id()),
        name: Set(name.to_string()),
        require_staff_totp: Set(false),
        retention_months: Set(None),
        timezone: Set(None),
        quiet_after_days: Set(None),
        created_at: Set(now),
    };
    Ok(clinics::Entity::insert(clinic).exec_with_returning(db).await?)
}

pub async fn create_team(
    db: &impl ConnectionTrait,
    clinic_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<teams::Model> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::field("name", "Enter a name of 1 to 200 characters."));
    }
    let team = teams::ActiveModel {
        id: Set(ids::new_id()),
        clinic_id: Set(clinic_id.to_string()),
        name: Set(name.to_string()),
        created_at: Set(now),
    };
    let inserted = teams::Entity::insert(team)
        .on_conflict(
            OnConflict::columns([teams::Column::ClinicId, teams::Column::Name]).do_nothing().to_owned(),
        )
        .exec_with_returning(db)
        .await;
    match inserted {
        Ok(team) => Ok(team),
        // The name is taken: SQLite says so with `RecordNotInserted`;
        // PostgreSQL's `RETURNING` simply gives no row.
        Err(sea_orm::DbErr::RecordNotInserted | sea_orm::DbErr::RecordNotFound(_)) => {
            Err(AppError::field("name", "This clinic has a team with this name already."))
        }
        Err(e) => Err(e.into()),
    }
}

/// What it takes to make a user; the password hash may come later (invitation).
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub clinic_id: Option<&'a str>,
    pub team_id: Option<&'a str>,
    pub password_hash: Option<String>,
}

pub async fn create_user(
    db: &impl ConnectionTrait,
    new: NewUser<'_>,
    now: DateTime<Utc>,
) -> AppResult<users::Model> {
    let email = normalize_email(new.email);
    check_email(&email).map_err(|m| AppError::field("email", m))?;
    if find_user_by_email(db, &email).await?.is_some() {
        return Err(AppError::field("email", "This e-mail address is in use already."));
    }
    let user = users::ActiveModel {
        id: Set(ids::new_id()),
        email: Set(email),
        name: Set(new.name.trim().to_string()),
        role: Set(new.role),
        clinic_id: Set(new.clinic_id.map(str::to_string)),
        team_id: Set(new.team_id.map(str::to_string)),
        password_hash: Set(new.password_hash),
        locale: Set("en".into()),
        timezone: Set(None),
        active: Set(true),
        totp_secret: Set(None),
        totp_enabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(users::Entity::insert(user).exec_with_returning(db).await?)
}

pub async fn find_user_by_email(db: &impl ConnectionTrait, email: &str) -> AppResult<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::Email.eq(normalize_email(email))).one(db).await?)
}

pub async fn find_clinic_by_name(db: &impl ConnectionTrait, name: &str) -> AppResult<Option<clinics::Model>> {
    Ok(clinics::Entity::find().filter(clinics::Column::Name.eq(name)).one(db).await?)
}

pub async fn find_team_by_name(
    db: &impl ConnectionTrait,
    clinic_id: &str,
    name: &str,
) -> AppResult<Option<teams::Model>> {
    Ok(teams::Entity::find()
        .filter(teams::Column::ClinicId.eq(clinic_id))
        .filter(teams::Column::Name.eq(name))
        .one(db)
        .await?)
}

pub async fn set_locale(
    db: &impl ConnectionTrait,
    user_id: &str,
    lang: crate::web::Lang,
    now: DateTime<Utc>,
) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::Locale, lang.code().into())
        .col_expr(users::Column::UpdatedAt, now.into())
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
