//! Queueing messages and delivering the ones that are due.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::Mailer;
use crate::{
    entities::{
        mail_outbox,
        states::{MailKind, MailStatus},
    },
    error::{AppError, AppResult},
    ids,
    state::AppState,
};

/// How long a worker may hold a claimed message before another may take it.
const LEASE_SECS: i64 = 120;
const BATCH: u64 = 50;

/// A message to send. Bodies carry no clinical content: counts, case codes
/// and links only.
#[derive(Clone, Debug)]
pub struct Email {
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Adds `email` to the outbox, in the caller's transaction. The Message-ID is
/// fixed here, so a retried delivery is recognisable as the same message.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    email: Email,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    enqueue_as(db, ids::new_id(), email, public_url, now).await
}

/// Adds `email` under a given id (and so Message-ID): composing the same
/// digest twice would collide on the key instead of mailing it twice.
pub async fn enqueue_as(
    db: &impl ConnectionTrait,
    id: String,
    email: Email,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    mail_outbox::Entity::insert(row(id.clone(), email, public_url, now)).exec_without_returning(db).await?;
    Ok(id)
}

/// Adds many messages at once, each under its given id.
pub async fn enqueue_many(
    db: &impl ConnectionTrait,
    emails: Vec<(String, Email)>,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut rows = emails.into_iter().map(|(id, email)| row(id, email, public_url, now)).peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(200).collect();
        mail_outbox::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

/// The pending outbox row for `email`; its Message-ID comes from the id.
fn row(id: String, email: Email, public_url: &str, now: DateTime<Utc>) -> mail_outbox::ActiveModel {
    let host =
        public_url.split("://").nth(1).unwrap_or("localhost").split(['/', ':']).next().unwrap_or("localhost");
    mail_outbox::ActiveModel {
        id: Set(id.clone()),
        kind: Set(email.kind),
        to_address: Set(email.to),
        subject: Set(email.subject),
        body_text: Set(email.body),
        message_id: Set(format!("<{id}@{host}>")),
        status: Set(MailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_owner: Set(None),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub dead: usize,
}

/// Claims and sends every message due at `now`, batch by batch.
pub async fn deliver_due(state: &AppState, mailer: &Mailer, worker: &str) -> AppResult<DeliveryReport> {
    let mut report = DeliveryReport::default();
    loop {
        let now = state.clock.now();
        let claimed = claim(&state.db, worker, now).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        for message in claimed {
            match mailer.send(&message, &state.settings.mail.from).await {
                Ok(()) => {
                    mark_sent(&state.db, &message.id, worker, state.clock.now()).await?;
                    report.sent += 1;
                }
                Err(error) => {
                    let attempts = message.attempts + 1;
                    let dead = attempts >= state.settings.mail.max_attempts;
                    tracing::warn!(outbox_id = %message.id, attempts, dead, "mail delivery failed");
                    mark_failed(&state.db, &message.id, worker, attempts, dead, &error, state.clock.now())
                        .await?;
                    if dead {
                        report.dead += 1;
                    } else {
                        report.retrying += 1;
                    }
                }
            }
        }
    }
}

/// Takes a lease on up to `BATCH` due messages. Each claim is a conditional
/// update, so two workers never both win the same row on either database.
async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<mail_outbox::Model>> {
    let free = Condition::any()
        .add(mail_outbox::Column::LeaseUntil.is_null())
        .add(mail_outbox::Column::LeaseUntil.lt(now));
    let candidates: Vec<String> = mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::Id)
        .filter(mail_outbox::Column::Status.eq(MailStatus::Pending))
        .filter(mail_outbox::Column::NextAttemptAt.lte(now))
        .filter(free.clone())
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .limit(BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let mut claimed = Vec::new();
    for id in candidates {
        let won = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::LeaseOwner, Expr::value(worker))
            .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(now + Duration::seconds(LEASE_SECS)))
            .filter(mail_outbox::Column::Id.eq(&id))
            .filter(mail_outbox::Column::Status.eq(MailStatus::Pending))
            .filter(free.clone())
            .exec(db)
            .await?;
        if won.rows_affected == 1 {
            if let Some(row) = mail_outbox::Entity::find_by_id(id).one(db).await? {
                claimed.push(row);
            }
        }
    }
    Ok(claimed)
}

/// Only the lease holder may record the outcome: a worker whose lease ran out
/// cannot overwrite what the next one did.
async fn mark_sent(db: &impl ConnectionTrait, id: &str, worker: &str, now: DateTime<Utc>) -> AppResult<()> {
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(MailStatus::Sent))
        .col_expr(mail_outbox::Column::SentAt, Expr::value(now))
        .col_expr(mail_outbox::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(mail_outbox::Column::Attempts, Expr::col(mail_outbox::Column::Attempts).add(1))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::LeaseOwner.eq(worker))
        .exec(db)
        .await?;
    Ok(())
}

async fn mark_failed(
    db: &impl ConnectionTrait,
    id: &str,
    worker: &str,
    attempts: i32,
    dead: bool,
    error: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::Status,
            Expr::value(if dead { MailStatus::Dead } else { MailStatus::Pending }),
        )
        .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(now + backoff(attempts)))
        .col_expr(mail_outbox::Column::LastError, Expr::value(redact_addresses(error)))
        .col_expr(mail_outbox::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::LeaseOwner.eq(worker))
        .exec(db)
        .await?;
    Ok(())
}

/// 30 s, 1 min, 2 min, … capped at an hour, with ±20 % jitter so a relay that
/// comes back is not hit by every message at once.
pub fn backoff(attempts: i32) -> Duration {
    let base = 30_i64 << (attempts.clamp(1, 8) - 1);
    let capped = base.min(3600) as f64;
    let jitter = rand::thread_rng().gen_range(0.8..=1.2);
    Duration::milliseconds((capped * jitter * 1000.0) as i64)
}

/// SMTP errors may quote the recipient; keep addresses out of stored errors.
fn redact_addresses(error: &str) -> String {
    let text: Vec<String> = error
        .split_whitespace()
        .map(|w| if w.contains('@') { "[address]".into() } else { w.to_string() })
        .collect();
    text.join(" ").chars().take(500).collect()
}

/// Puts a dead or failing message back in the queue (an administrator's retry).
pub async fn retry(db: &impl ConnectionTrait, id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let result = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(MailStatus::Pending))
        .col_expr(mail_outbox::Column::Attempts, Expr::value(0))
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(now))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::Status.ne(MailStatus::Sent))
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The newest messages, optionally of one status, for the admin view.
/// Outbox messages a page shows at a time.
pub const PAGE_SIZE: u64 = 50;

/// Page `page` (from 1) of the newest messages, optionally of one status,
/// and whether older ones follow.
pub async fn list(
    db: &impl ConnectionTrait,
    status: Option<&str>,
    page: u64,
) -> AppResult<(Vec<mail_outbox::Model>, bool)> {
    let mut select = mail_outbox::Entity::find();
    if let Some(status) = status {
        select = select.filter(mail_outbox::Column::Status.eq(status));
    }
    let mut rows = select
        .order_by_desc(mail_outbox::Column::CreatedAt)
        .order_by_desc(mail_outbox::Column::Id)
        .offset(page.saturating_sub(1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Ok((rows, more))
}
