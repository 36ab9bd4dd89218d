//! The digest worker: claims due digests, composes the e-mail and hands it to
//! the outbox in the transaction that records the digest as sent.
//!
//! A claim is one UPDATE that takes a lease (owner and expiry) on a batch of
//! due rows. On PostgreSQL the batch is chosen `FOR UPDATE SKIP LOCKED`, so
//! workers never wait for each other; on SQLite the single statement takes
//! the write lock at once, as `BEGIN IMMEDIATE` would. A worker that dies
//! holding a lease leaves the digest to the next worker once it expires, and
//! a worker whose lease has expired cannot record a result: the final update
//! requires its own lease, and the outbox key is the digest's id.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    Statement, TransactionTrait,
};
use serde::Serialize;
use tera::Context;

use super::notifications::{DEAD, PENDING, SENT, SHOWN};
use crate::{
    app::AppState,
    caseload::due::feedback_due_on,
    entities::{digests, enrollments, users},
    error::{AppError, AppResult},
    mail::{self, Email},
    web::Lang,
};

const BATCH: i64 = 200;

/// What one pass over the due digests did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DigestReport {
    /// Digest e-mails handed to the outbox.
    pub emails: usize,
    /// Patient digests covered by those e-mails.
    pub digests: usize,
    /// Digests of in-app-only therapists, now in their notification centre.
    pub shown: usize,
    /// Digests that failed to compose and will be tried again.
    pub retrying: usize,
    pub dead: usize,
}

/// Composes and queues every digest due at `now`, batch by batch.
pub async fn send_due_digests(state: &AppState, worker: &str, now: DateTime<Utc>) -> AppResult<DigestReport> {
    let mut report = DigestReport::default();
    loop {
        let owner = format!("{worker}:{}", &crate::ids::new_secret()[..8]);
        let claimed = claim_due_digests(&state.db, &owner, now, state.settings.digests.lease).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let pause = state.settings.digests.pause_after_claim;
        if !pause.is_zero() {
            tracing::warn!(digests = claimed.len(), "pausing after the claim (digests.pause_after_claim_ms)");
            tokio::time::sleep(pause).await;
        }
        for group in into_emails(claimed) {
            let size = group.len();
            match deliver(state, &owner, &group, now).await {
                Ok(Outcome::Emailed) => {
                    report.emails += 1;
                    report.digests += size;
                }
                Ok(Outcome::Shown) => report.shown += size,
                Ok(Outcome::LostLease) => {
                    tracing::warn!(digests = size, "digest lease lost before it was recorded")
                }
                Err(error) => {
                    let dead = give_back(state, &owner, &group, now).await?;
                    tracing::warn!(error = %error, digests = size, dead, "composing a digest failed");
                    if dead {
                        report.dead += size;
                    } else {
                        report.retrying += size;
                    }
                }
            }
        }
    }
}

/// Leases up to a batch of due digests to `owner` and returns them.
pub async fn claim_due_digests(
    db: &impl ConnectionTrait,
    owner: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<Vec<digests::Model>> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE digests SET lease_owner = $1, lease_until = $2 \
             WHERE id IN (SELECT id FROM digests WHERE status = 'pending' AND due_at <= $3 \
               AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) \
               ORDER BY therapist_id, due_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
             AND status = 'pending' AND (lease_until IS NULL OR lease_until < $3)"
        }
        _ => {
            "UPDATE digests SET lease_owner = ?1, lease_until = ?2 \
             WHERE id IN (SELECT id FROM digests WHERE status = 'pending' AND due_at <= ?3 \
               AND next_attempt_at <= ?3 AND (lease_until IS NULL OR lease_until < ?3) \
               ORDER BY therapist_id, due_at LIMIT ?4) \
             AND status = 'pending' AND (lease_until IS NULL OR lease_until < ?3)"
        }
    };
    let values: [sea_orm::Value; 4] = [owner.into(), (now + lease).into(), now.into(), BATCH.into()];
    db.execute(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(digests::Entity::find()
        .filter(digests::Column::LeaseOwner.eq(owner))
        .order_by_asc(digests::Column::TherapistId)
        .order_by_asc(digests::Column::DueAt)
        .all(db)
        .await?)
}

/// Digests that go out together: one per patient, or one per therapist and
/// window for the combined layout.
fn into_emails(claimed: Vec<digests::Model>) -> Vec<Vec<digests::Model>> {
    let mut groups: BTreeMap<(String, DateTime<Utc>, String), Vec<digests::Model>> = BTreeMap::new();
    for digest in claimed {
        let key = if digest.layout == "combined" {
            (digest.therapist_id.clone(), digest.due_at, String::new())
        } else {
            (digest.therapist_id.clone(), digest.due_at, digest.enrollment_id.clone())
        };
        groups.entry(key).or_default().push(digest);
    }
    groups.into_values().collect()
}

enum Outcome {
    Emailed,
    Shown,
    LostLease,
}

/// Records the group as done and, for e-mail digests, queues the message, in
/// one transaction that only commits while `owner` still holds every lease.
async fn deliver(
    state: &AppState,
    owner: &str,
    group: &[digests::Model],
    now: DateTime<Utc>,
) -> AppResult<Outcome> {
    let by_email = group.iter().any(|d| d.by_email);
    let (email, patients) = if by_email {
        let (email, patients) = compose(state, group).await?;
        (Some(email), patients)
    } else {
        (None, Vec::new())
    };
    let txn = state.db.begin().await?;
    let ids: Vec<String> = group.iter().map(|d| d.id.clone()).collect();
    // The group's first digest names the e-mail: the same digests always
    // make the same outbox row and Message-ID.
    let outbox_id = email.as_ref().map(|_| ids[0].clone());
    let recorded = digests::Entity::update_many()
        .col_expr(digests::Column::Status, Expr::value(if by_email { SENT } else { SHOWN }))
        .col_expr(digests::Column::OutboxId, Expr::value(outbox_id.clone()))
        .col_expr(digests::Column::DoneAt, Expr::value(now))
        .col_expr(digests::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(digests::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(digests::Column::Id.is_in(ids.clone()))
        .filter(digests::Column::LeaseOwner.eq(owner))
        .filter(digests::Column::Status.eq(PENDING))
        .exec(&txn)
        .await?;
    if recorded.rows_affected != ids.len() as u64 {
        txn.rollback().await?;
        return Ok(Outcome::LostLease);
    }
    let Some((email, id)) = email.zip(outbox_id) else {
        txn.commit().await?;
        return Ok(Outcome::Shown);
    };
    mail::outbox::enqueue_as(&txn, id, email, &state.settings.server.public_url, now).await?;
    for enrollment in &patients {
        let event = crate::usage::UsageEvent::new("digest.sent");
        crate::usage::record(&txn, enrollment, crate::accounts::Role::Therapist, event, now).await?;
    }
    txn.commit().await?;
    Ok(Outcome::Emailed)
}

/// A failed group goes back in the queue with a growing, jittered delay, or
/// to the dead letters after `mail.max_attempts` tries.
async fn give_back(
    state: &AppState,
    owner: &str,
    group: &[digests::Model],
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let attempts = group.iter().map(|d| d.attempts).max().unwrap_or(0) + 1;
    let dead = attempts >= state.settings.mail.max_attempts;
    digests::Entity::update_many()
        .col_expr(digests::Column::Status, Expr::value(if dead { DEAD } else { PENDING }))
        .col_expr(digests::Column::Attempts, Expr::value(attempts))
        .col_expr(digests::Column::NextAttemptAt, Expr::value(now + mail::outbox::backoff(attempts)))
        .col_expr(digests::Column::LeaseOwner, Expr::value(Option::<String>::None))
        .col_expr(digests::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(digests::Column::Id.is_in(group.iter().map(|d| d.id.clone())))
        .filter(digests::Column::LeaseOwner.eq(owner))
        .exec(&state.db)
        .await?;
    Ok(dead)
}

/// One patient's part of a digest e-mail: counts, never content.
#[derive(Serialize)]
struct Section {
    case_code: String,
    program: String,
    counts: Vec<(&'static str, i32)>,
    feedback_due_on: String,
    feedback_overdue: bool,
    url: String,
}

/// The e-mail for a group, to the therapist (or to whoever covers for them
/// that day), in their language.
async fn compose(state: &AppState, group: &[digests::Model]) -> AppResult<(Email, Vec<enrollments::Model>)> {
    let db = &state.db;
    let first = &group[0];
    let settings = super::settings::load(db, &first.therapist_id).await?;
    let tz: Tz = settings.timezone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
    let today = first.due_at.with_timezone(&tz).date_naive();
    let recipient_id = match crate::enrollment::cover::cover_of(db, &first.therapist_id, today).await? {
        Some(cover) => cover.cover_id,
        None => first.therapist_id.clone(),
    };
    let recipient = users::Entity::find_by_id(recipient_id).one(db).await?.ok_or(AppError::NotFound)?;
    let patients = enrollments::Entity::find()
        .filter(enrollments::Column::Id.is_in(group.iter().map(|d| d.enrollment_id.clone())))
        .all(db)
        .await?;
    let base = &state.settings.server.public_url;
    let mut sections = Vec::new();
    for digest in group {
        let Some(enrollment) = patients.iter().find(|e| e.id == digest.enrollment_id) else { continue };
        let due = feedback_due_on(enrollment, tz);
        let program =
            state.content.program(&enrollment.program_id).map(|p| p.title.clone()).unwrap_or_default();
        sections.push(Section {
            case_code: enrollment.case_code.clone(),
            program,
            counts: counts(digest),
            feedback_due_on: due.to_string(),
            feedback_overdue: due < today && enrollment.status == "active",
            url: format!("{base}/patients/{}", enrollment.id),
        });
    }
    let lang = Lang::from_code(&recipient.locale).unwrap_or_default();
    let mut context = Context::new();
    context.insert("name", &recipient.name);
    context.insert("covering", &(recipient.id != first.therapist_id));
    context.insert("sections", &sections);
    context.insert("tip", &booster_tip(state, first));
    context.insert("caseload_url", &format!("{base}/caseload"));
    context.insert("settings_url", &format!("{base}/settings/digests"));
    let subject = if sections.len() == 1 {
        format!("{} {}", state.views.text(lang, "digest-subject-one"), sections[0].case_code)
    } else {
        format!("{} ({})", state.views.text(lang, "digest-subject-many"), sections.len())
    };
    let email = Email {
        kind: "digest",
        to: recipient.email,
        subject,
        body: state.views.render_text("mail/digest.txt", lang, context)?,
    };
    Ok((email, patients))
}

fn counts(digest: &digests::Model) -> Vec<(&'static str, i32)> {
    [
        ("diary_entries", digest.diary_entries),
        ("submissions", digest.submissions),
        ("pages_completed", digest.pages_completed),
        ("messages", digest.messages),
        ("questionnaires", digest.questionnaires),
        ("modules_completed", digest.modules_completed),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect()
}

/// A different tip each day, and not the same day for every therapist.
fn booster_tip<'a>(state: &'a AppState, digest: &digests::Model) -> Option<&'a crate::content::Tip> {
    let tips = state.content.tips();
    if tips.is_empty() {
        return None;
    }
    let spread: u64 = digest.therapist_id.bytes().map(u64::from).sum();
    let day = digest.due_at.timestamp().div_euclid(86_400) as u64;
    tips.get(((day + spread) % tips.len() as u64) as usize)
}
