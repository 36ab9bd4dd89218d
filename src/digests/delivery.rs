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

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::Serialize;
use tera::Context;

use super::settings::DigestSettings;
use crate::entities::enums::EnrollmentStatus;
use crate::entities::states::{DigestLayout, DigestStatus};
use crate::{
    enrollment::schedule::feedback_due_on,
    entities::{covers, digests, enrollments, users},
    error::{AppError, AppResult},
    mail::{self, Email},
    sql,
    state::AppState,
    usage::UsageEvent,
    web::Lang,
};

const BATCH: i64 = 500;

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
        let batch = Batch::load(state, &claimed).await?;
        let mut composed = Vec::new();
        for group in into_emails(claimed) {
            match batch.compose(state, &group) {
                Ok(email) => composed.push(Composed { group, email }),
                Err(error) => {
                    let dead = give_back(state, &owner, &group, now).await?;
                    tracing::warn!(error = %error, digests = group.len(), dead, "composing a digest failed");
                    if dead {
                        report.dead += group.len();
                    } else {
                        report.retrying += group.len();
                    }
                }
            }
        }
        // One transaction for the whole batch; if a lease was lost meanwhile,
        // group by group, so the others still go out.
        if !record(state, &owner, &batch, &composed, now).await? {
            let mut kept = Vec::new();
            for one in composed {
                if record(state, &owner, &batch, std::slice::from_ref(&one), now).await? {
                    kept.push(one);
                } else {
                    tracing::warn!(digests = one.group.len(), "digest lease lost before it was recorded");
                }
            }
            composed = kept;
        }
        for one in &composed {
            if one.email.is_some() {
                report.emails += 1;
                report.digests += one.group.len();
            } else {
                report.shown += one.group.len();
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
    // The outer update re-checks the lease, for a row another worker leased
    // between the choice and the update; it goes by the primary key.
    let text = format!(
        "UPDATE digests SET lease_owner = $1, lease_until = $2 \
         WHERE id IN (SELECT id FROM digests WHERE status = '{pending}' AND due_at <= $3 \
           AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until < $3) \
           ORDER BY therapist_id, due_at LIMIT $4{skip_locked}) \
         AND {status} = '{pending}' AND (lease_until IS NULL OR lease_until < $3) RETURNING *",
        skip_locked = sql::skip_locked(backend),
        status = sql::without_index(backend, "status"),
        pending = DigestStatus::Pending.as_str(),
    );
    let values: [sea_orm::Value; 4] = [owner.into(), (now + lease).into(), now.into(), BATCH.into()];
    // RETURNING hands back exactly the rows this statement leased.
    let mut claimed =
        digests::Entity::find().from_raw_sql(sql::statement(backend, &text, values)).all(db).await?;
    claimed.sort_by(|a, b| (&a.therapist_id, a.due_at).cmp(&(&b.therapist_id, b.due_at)));
    Ok(claimed)
}

/// Digests that go out together: one per patient, or one per therapist and
/// window for the combined layout.
fn into_emails(claimed: Vec<digests::Model>) -> Vec<Vec<digests::Model>> {
    let mut groups: BTreeMap<(String, DateTime<Utc>, String), Vec<digests::Model>> = BTreeMap::new();
    for digest in claimed {
        let key = if digest.layout == DigestLayout::Combined {
            (digest.therapist_id.clone(), digest.due_at, String::new())
        } else {
            (digest.therapist_id.clone(), digest.due_at, digest.enrollment_id.clone())
        };
        groups.entry(key).or_default().push(digest);
    }
    groups.into_values().collect()
}

/// A group with its e-mail (none for in-app-only therapists).
struct Composed {
    group: Vec<digests::Model>,
    email: Option<Email>,
}

impl Composed {
    /// The group's first digest names the e-mail: the same digests always
    /// make the same outbox row and Message-ID.
    fn outbox_id(&self) -> Option<String> {
        self.email.as_ref().map(|_| self.group[0].id.clone())
    }
}

/// Records the groups as done and queues their e-mails, in one transaction
/// that commits only while `owner` still holds every lease.
async fn record(
    state: &AppState,
    owner: &str,
    batch: &Batch,
    composed: &[Composed],
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let txn = state.db.begin().await?;
    let done = |status: DigestStatus| {
        digests::Entity::update_many()
            .col_expr(digests::Column::Status, Expr::value(status))
            .col_expr(digests::Column::DoneAt, Expr::value(now))
            .col_expr(digests::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(digests::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            // The lease alone guards the row: suppressing a digest clears it.
            .filter(digests::Column::LeaseOwner.eq(owner))
    };
    let ids_of = |pick: fn(&Composed) -> bool| -> Vec<String> {
        composed.iter().filter(|c| pick(c)).flat_map(|c| c.group.iter().map(|d| d.id.clone())).collect()
    };
    let (mut expected, mut recorded) = (0, 0);
    // A one-patient e-mail takes its digest's id as outbox id.
    let single = ids_of(|c| c.email.is_some() && c.group.len() == 1);
    let shown = ids_of(|c| c.email.is_none());
    for (ids, status) in [(single, DigestStatus::Sent), (shown, DigestStatus::Shown)] {
        for chunk in ids.chunks(500) {
            let mut update = done(status).filter(digests::Column::Id.is_in(chunk.to_vec()));
            if status == DigestStatus::Sent {
                update = update.col_expr(digests::Column::OutboxId, Expr::col(digests::Column::Id).into());
            }
            expected += chunk.len() as u64;
            recorded += update.exec(&txn).await?.rows_affected;
        }
    }
    for combined in composed.iter().filter(|c| c.email.is_some() && c.group.len() > 1) {
        expected += combined.group.len() as u64;
        recorded += done(DigestStatus::Sent)
            .col_expr(digests::Column::OutboxId, Expr::value(combined.outbox_id()))
            .filter(digests::Column::Id.is_in(combined.group.iter().map(|d| d.id.clone())))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    if recorded != expected {
        txn.rollback().await?;
        return Ok(false);
    }
    let emails = composed.iter().filter_map(|c| Some((c.outbox_id()?, c.email.clone()?))).collect();
    mail::outbox::enqueue_many(&txn, emails, &state.settings.server.public_url, now).await?;
    let events = composed
        .iter()
        .filter(|c| c.email.is_some())
        .flat_map(|c| &c.group)
        .filter_map(|d| batch.enrollments.get(&d.enrollment_id))
        .map(|e| crate::usage::row(e, crate::accounts::Role::Therapist, UsageEvent::new("digest.sent"), now))
        .collect();
    crate::usage::record_many(&txn, events).await?;
    txn.commit().await?;
    Ok(true)
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
        .col_expr(
            digests::Column::Status,
            Expr::value(if dead { DigestStatus::Dead } else { DigestStatus::Pending }),
        )
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

/// What composing a batch needs, loaded with a handful of queries rather
/// than a few per digest.
struct Batch {
    settings: HashMap<String, DigestSettings>,
    covers: Vec<covers::Model>,
    users: HashMap<String, users::Model>,
    enrollments: HashMap<String, enrollments::Model>,
    /// Per therapist: patients not on track, waiting for extra support.
    needs_support: HashMap<String, u64>,
}

impl Batch {
    async fn load(state: &AppState, claimed: &[digests::Model]) -> AppResult<Batch> {
        let db = &state.db;
        let mut therapists: Vec<String> = claimed.iter().map(|d| d.therapist_id.clone()).collect();
        therapists.sort_unstable();
        therapists.dedup();
        let settings = super::settings::load_many(db, &therapists).await?;
        let earliest =
            claimed.iter().map(|d| d.due_at).min().unwrap_or(state.clock.now()) - Duration::days(1);
        let covers = covers::Entity::find()
            .filter(covers::Column::AbsentId.is_in(therapists.clone()))
            .filter(covers::Column::EndsOn.gte(earliest.date_naive()))
            .all(db)
            .await?;
        let people: Vec<String> =
            therapists.iter().cloned().chain(covers.iter().map(|c| c.cover_id.clone())).collect();
        let users = users::Entity::find()
            .filter(users::Column::Id.is_in(people))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let enrollments = enrollments::Entity::find()
            .filter(enrollments::Column::Id.is_in(claimed.iter().map(|d| d.enrollment_id.clone())))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        let needs_support = needs_support(db, &therapists).await?;
        Ok(Batch { settings, covers, users, enrollments, needs_support })
    }

    /// The e-mail for a group, to the therapist (or to whoever covers for
    /// them that day), in their language; none for in-app-only digests.
    fn compose(&self, state: &AppState, group: &[digests::Model]) -> AppResult<Option<Email>> {
        let first = &group[0];
        if !group.iter().any(|d| d.by_email) {
            return Ok(None);
        }
        let settings = self.settings.get(&first.therapist_id).cloned().unwrap_or_default();
        let tz: Tz = settings.timezone.parse().unwrap_or(chrono_tz::Europe::Amsterdam);
        let today = first.due_at.with_timezone(&tz).date_naive();
        let recipient_id = self
            .covers
            .iter()
            .find(|c| c.absent_id == first.therapist_id && c.starts_on <= today && today <= c.ends_on)
            .map_or(&first.therapist_id, |c| &c.cover_id);
        let recipient = self.users.get(recipient_id).ok_or(AppError::NotFound)?;
        let base = &state.settings.server.public_url;
        let mut sections = Vec::new();
        for digest in group {
            let Some(enrollment) = self.enrollments.get(&digest.enrollment_id) else { continue };
            let due = feedback_due_on(enrollment, tz);
            let program =
                state.content.program(&enrollment.program_id).map(|p| p.title.clone()).unwrap_or_default();
            sections.push(Section {
                case_code: enrollment.case_code.clone(),
                program,
                counts: counts(digest),
                feedback_due_on: due.to_string(),
                feedback_overdue: due < today && enrollment.status == EnrollmentStatus::Active,
                url: format!("{base}/patients/{}", enrollment.id),
            });
        }
        let lang = Lang::from_code(&recipient.locale).unwrap_or_default();
        let mut context = Context::new();
        context.insert("name", &recipient.name);
        context.insert("covering", &(recipient.id != first.therapist_id));
        context.insert("sections", &sections);
        context.insert("tip", &booster_tip(state, first));
        // Content-free: how many, never who or why.
        context.insert("needs_support", &self.needs_support.get(&first.therapist_id).copied().unwrap_or(0));
        context.insert("caseload_url", &format!("{base}/caseload"));
        context.insert("settings_url", &format!("{base}/settings/digests"));
        let subject = match sections.as_slice() {
            [one] => format!("{} {}", state.views.text(lang, "digest-subject-one"), one.case_code),
            many => format!("{} ({})", state.views.text(lang, "digest-subject-many"), many.len()),
        };
        Ok(Some(Email {
            kind: crate::entities::states::MailKind::Digest,
            to: recipient.email.clone(),
            subject,
            body: state.views.render_text("mail/digest.txt", lang, context)?,
        }))
    }
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

/// Per therapist among `therapists`: their patients with an open
/// not-on-track flag.
async fn needs_support(
    db: &impl sea_orm::ConnectionTrait,
    therapists: &[String],
) -> AppResult<HashMap<String, u64>> {
    use crate::entities::{care_flags, enums::FlagKind};
    let open: Vec<String> = care_flags::Entity::find()
        .filter(care_flags::Column::Kind.eq(FlagKind::NotOnTrack))
        .filter(care_flags::Column::DecidedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.enrollment_id)
        .collect();
    let mut out = HashMap::new();
    if open.is_empty() {
        return Ok(out);
    }
    let treatments = enrollments::Entity::find()
        .filter(enrollments::Column::Id.is_in(open))
        .filter(enrollments::Column::TherapistId.is_in(therapists.iter().cloned()))
        .all(db)
        .await?;
    for e in treatments {
        *out.entry(e.therapist_id).or_default() += 1;
    }
    Ok(out)
}

fn booster_tip<'a>(state: &'a AppState, digest: &digests::Model) -> Option<&'a crate::content::Tip> {
    tip_of_the_day(&state.content, &digest.therapist_id, digest.due_at)
}

/// A different booster tip each day, and not the same day for every
/// therapist: the digest of the day and the notification centre show the
/// same one.
pub fn tip_of_the_day<'a>(
    content: &'a crate::content::Catalogue,
    therapist_id: &str,
    at: DateTime<Utc>,
) -> Option<&'a crate::content::Tip> {
    let tips = content.tips();
    if tips.is_empty() {
        return None;
    }
    let spread: u64 = therapist_id.bytes().map(u64::from).sum();
    let day = at.timestamp().div_euclid(86_400) as u64;
    tips.get(((day + spread) % tips.len() as u64) as usize)
}
