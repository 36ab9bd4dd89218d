//! Login throttling per account and per IP address.
//!
//! Per IP: after `ip_failures_per_window` failures in 15 minutes, 429 until
//! the window moves on. Per account: after `account_failures_before_delay`
//! failures each further attempt waits a doubling delay of at most a minute.
//! There is no lock-out: an attacker can slow a patient's login by a minute
//! at most, never shut them out.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    accounts::service::normalize_email,
    config::AuthSettings,
    entities::login_failures,
    error::{AppError, AppResult},
    ids,
};

const WINDOW_MINUTES: i64 = 15;
const MAX_ACCOUNT_DELAY_SECS: i64 = 60;

fn account_key(email: &str) -> String {
    ids::secret_digest(&format!("account:{}", normalize_email(email)))
}

fn ip_key(ip: &str) -> String {
    ids::secret_digest(&format!("ip:{ip}"))
}

/// 429 with the wait when this login attempt must not be tried now.
pub async fn check(
    db: &impl ConnectionTrait,
    email: &str,
    ip: Option<&str>,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    if let Some(ip) = ip {
        let failures = recent(db, &ip_key(ip), since).await?;
        if failures.len() as u32 >= settings.ip_failures_per_window {
            let oldest = failures.last().map(|f| f.failed_at).unwrap_or(now);
            return Err(throttled(oldest + Duration::minutes(WINDOW_MINUTES) - now));
        }
    }
    let failures = recent(db, &account_key(email), since).await?;
    let count = failures.len() as u32;
    if count >= settings.account_failures_before_delay {
        let excess = (count - settings.account_failures_before_delay).min(6);
        let delay = Duration::seconds((1_i64 << excess).min(MAX_ACCOUNT_DELAY_SECS));
        let latest = failures.first().map(|f| f.failed_at).unwrap_or(now);
        if now < latest + delay {
            return Err(throttled(latest + delay - now));
        }
    }
    Ok(())
}

fn throttled(wait: Duration) -> AppError {
    AppError::Throttled {
        retry_after: wait.to_std().unwrap_or_default().max(std::time::Duration::from_secs(1)),
    }
}

/// Newest first.
async fn recent(
    db: &impl ConnectionTrait,
    key: &str,
    since: DateTime<Utc>,
) -> AppResult<Vec<login_failures::Model>> {
    Ok(login_failures::Entity::find()
        .filter(login_failures::Column::KeyDigest.eq(key))
        .filter(login_failures::Column::FailedAt.gt(since))
        .order_by_desc(login_failures::Column::FailedAt)
        .all(db)
        .await?)
}

pub async fn record_failure(
    db: &impl ConnectionTrait,
    email: &str,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut keys = vec![account_key(email)];
    keys.extend(ip.map(ip_key));
    let rows = keys.into_iter().map(|key| login_failures::ActiveModel {
        id: Set(ids::new_id()),
        key_digest: Set(key),
        failed_at: Set(now),
    });
    login_failures::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// A successful login forgets the account's failures.
pub async fn clear_account(db: &impl ConnectionTrait, email: &str) -> AppResult<()> {
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::KeyDigest.eq(account_key(email)))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn prune(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    let result = login_failures::Entity::delete_many()
        .filter(login_failures::Column::FailedAt.lt(now - Duration::days(1)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
