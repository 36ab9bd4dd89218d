//! Bearer tokens for the JSON API, stored as digests and revocable.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    config::AuthSettings,
    entities::{api_tokens, users},
    error::AppResult,
    ids,
};

/// Issues a token and returns its secret (shown to the client once).
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: &str,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let secret = ids::new_secret();
    let row = api_tokens::ActiveModel {
        id: Set(ids::new_id()),
        token_digest: Set(ids::secret_digest(&secret)),
        user_id: Set(user_id.to_string()),
        created_at: Set(now),
        last_used_at: Set(now),
        expires_at: Set(now + settings.api_token_lifetime),
    };
    api_tokens::Entity::insert(row).exec_without_returning(db).await?;
    Ok(secret)
}

/// The token row and its active user, if the token is live.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    secret: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(api_tokens::Model, users::Model)>> {
    let found = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenDigest.eq(ids::secret_digest(secret)))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    match found {
        Some((token, Some(user))) if token.expires_at > now && user.active => Ok(Some((token, user))),
        _ => Ok(None),
    }
}

pub async fn revoke(db: &impl ConnectionTrait, token_id: &str) -> AppResult<()> {
    api_tokens::Entity::delete_by_id(token_id.to_string()).exec(db).await?;
    Ok(())
}

pub async fn revoke_all(db: &impl ConnectionTrait, user_id: &str) -> AppResult<()> {
    api_tokens::Entity::delete_many().filter(api_tokens::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}
