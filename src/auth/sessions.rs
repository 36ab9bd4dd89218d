//! Server-side browser sessions. The cookie holds a random secret; the
//! database holds only its digest, so a copy of the table opens no session.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    config::AuthSettings,
    entities::{sessions, users},
    error::AppResult,
    ids,
    web::ClientInfo,
};

pub const SESSION_COOKIE: &str = "icbt_session";

/// How far a session has got through login.
pub use crate::entities::states::SessionStage as Stage;

/// Starts a session and returns the cookie secret.
pub async fn start(
    db: &impl ConnectionTrait,
    user_id: &str,
    stage: Stage,
    client: &ClientInfo,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let secret = ids::new_secret();
    let row = sessions::ActiveModel {
        id: Set(ids::secret_digest(&secret)),
        user_id: Set(user_id.to_string()),
        stage: Set(stage),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + settings.session_absolute),
        ip: Set(client.ip.clone()),
        user_agent: Set(client.user_agent.clone()),
    };
    sessions::Entity::insert(row).exec_without_returning(db).await?;
    Ok(secret)
}

/// The live session for `secret` and its active user, touching its idle timer.
/// Expired sessions are removed on sight.
pub async fn resume(
    db: &impl ConnectionTrait,
    secret: &str,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> AppResult<Option<(sessions::Model, Stage, users::Model)>> {
    let id = ids::secret_digest(secret);
    let Some((session, Some(user))) =
        sessions::Entity::find_by_id(id.clone()).find_also_related(users::Entity).one(db).await?
    else {
        return Ok(None);
    };
    let expired = now >= session.expires_at || now >= session.last_seen_at + settings.session_idle;
    let stage = session.stage;
    if expired || !user.active {
        sessions::Entity::delete_by_id(id).exec(db).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > touch_after(settings) {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::LastSeenAt, now.into())
            .filter(sessions::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(Some((session, stage, user)))
}

/// How stale a session's last use may get before a request records it:
/// writing on every request would serialise SQLite writers, and a minute's
/// precision is plenty for a 30-minute idle limit (a tenth of a shorter one).
fn touch_after(settings: &AuthSettings) -> chrono::Duration {
    (settings.session_idle / 10).min(chrono::Duration::seconds(60))
}

/// When `session`, just resumed at `now`, ends unless used again: the idle
/// limit from its last use (`resume` records use to the minute, or finer), or the
/// absolute limit, whichever is first.
pub fn ends_at(session: &sessions::Model, settings: &AuthSettings, now: DateTime<Utc>) -> DateTime<Utc> {
    let last_use =
        if now - session.last_seen_at > touch_after(settings) { now } else { session.last_seen_at };
    (last_use + settings.session_idle).min(session.expires_at)
}

/// Whose session `secret` is or was, ended or not, while its row exists.
pub async fn owner(db: &impl ConnectionTrait, secret: &str) -> AppResult<Option<String>> {
    let session = sessions::Entity::find_by_id(ids::secret_digest(secret)).one(db).await?;
    Ok(session.map(|s| s.user_id))
}

pub async fn end(db: &impl ConnectionTrait, secret: &str) -> AppResult<()> {
    sessions::Entity::delete_by_id(ids::secret_digest(secret)).exec(db).await?;
    Ok(())
}

/// Ends every session of a user ("log out everywhere", password change).
pub async fn end_all(db: &impl ConnectionTrait, user_id: &str) -> AppResult<u64> {
    let result =
        sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(result.rows_affected)
}

pub async fn list(db: &impl ConnectionTrait, user_id: &str) -> AppResult<Vec<sessions::Model>> {
    Ok(sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::Stage.eq(Stage::Full.as_str()))
        .order_by_desc(sessions::Column::LastSeenAt)
        .all(db)
        .await?)
}

/// Removes sessions past their absolute or idle limit (worker housekeeping).
pub async fn prune(db: &impl ConnectionTrait, settings: &AuthSettings, now: DateTime<Utc>) -> AppResult<u64> {
    let result = sessions::Entity::delete_many()
        .filter(
            sessions::Column::ExpiresAt
                .lte(now)
                .or(sessions::Column::LastSeenAt.lte(now - settings.session_idle)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
