//! One-time links: invitations (set a first password) and password resets.
//! The link carries a random secret; the database keeps its digest, the
//! expiry and when it was used.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    entities::{one_time_tokens, users},
    error::{AppError, AppResult},
    ids,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "reset",
        }
    }

    /// The page that redeems a link of this kind.
    pub fn path(self, secret: &str) -> String {
        match self {
            Purpose::Invitation => format!("/invitations/{secret}"),
            Purpose::PasswordReset => format!("/password/reset/{secret}"),
        }
    }
}

/// Creates a link and returns its secret. Older unused links of the same kind
/// for the same user stop working, so only the newest mail is valid.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: &str,
    purpose: Purpose,
    created_by: Option<&str>,
    lifetime: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<String> {
    one_time_tokens::Entity::update_many()
        .col_expr(one_time_tokens::Column::ExpiresAt, now.into())
        .filter(one_time_tokens::Column::UserId.eq(user_id))
        .filter(one_time_tokens::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::Column::UsedAt.is_null())
        .filter(one_time_tokens::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    let secret = ids::new_secret();
    let row = one_time_tokens::ActiveModel {
        id: Set(ids::new_id()),
        token_digest: Set(ids::secret_digest(&secret)),
        user_id: Set(user_id.to_string()),
        purpose: Set(purpose.as_str().to_string()),
        created_by: Set(created_by.map(str::to_string)),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        used_at: Set(None),
    };
    one_time_tokens::Entity::insert(row).exec_without_returning(db).await?;
    Ok(secret)
}

/// The link's user while the link is unused and unexpired; 404 for an unknown
/// secret, 410 for a used or expired one.
pub async fn peek(
    db: &impl ConnectionTrait,
    secret: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> AppResult<(one_time_tokens::Model, users::Model)> {
    let found = one_time_tokens::Entity::find()
        .filter(one_time_tokens::Column::TokenDigest.eq(ids::secret_digest(secret)))
        .filter(one_time_tokens::Column::Purpose.eq(purpose.as_str()))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    match found {
        Some((link, Some(user))) if link.used_at.is_none() && link.expires_at > now && user.active => {
            Ok((link, user))
        }
        Some(_) => Err(AppError::Gone),
        None => Err(AppError::NotFound),
    }
}

/// Marks the link used; 410 when another request used it first.
pub async fn spend(db: &impl ConnectionTrait, link_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let result = one_time_tokens::Entity::update_many()
        .col_expr(one_time_tokens::Column::UsedAt, Some(now).into())
        .filter(one_time_tokens::Column::Id.eq(link_id))
        .filter(one_time_tokens::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(AppError::Gone)
    }
}
