//! Questionnaire reminders. Once a day the worker looks at every patient in
//! treatment: an assessment (baseline, mid, end, follow-up) that has fallen
//! due is told to the patient in their daily content-free notice, and once
//! more three days later if it is still open. Seven days after it fell due
//! it is overdue on the caseload, until answered.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::{
    digests::{self, PatientNotice},
    entities::{enrollments, enums::EnrollmentStatus, questionnaire_due},
    error::AppResult,
    state::AppState,
};

const STATE: &str = "questionnaire_reminders";
/// Days after the first notice that the one reminder goes out.
pub const REMIND_AFTER_DAYS: i64 = 3;
/// Days after falling due that an open questionnaire is overdue.
pub const OVERDUE_AFTER_DAYS: i64 = 7;

/// The day's round, once a day (the worker asks every round); returns how
/// many notices and reminders were flagged. On PostgreSQL the job is held,
/// so two workers never both send.
pub async fn remind_once_a_day(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let today = now.with_timezone(&state.settings.care.timezone).date_naive();
    let txn = state.db.begin().await?;
    if !crate::usage::rollups::due_today(&txn, STATE, today).await? {
        return Ok(0);
    }
    let flagged = remind(&txn, state, today, now).await?;
    crate::usage::rollups::save_state(&txn, STATE, today + Duration::days(1), now).await?;
    txn.commit().await?;
    Ok(flagged)
}

async fn remind(
    db: &impl ConnectionTrait,
    state: &AppState,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let active = enrollments::Entity::find()
        .filter(enrollments::Column::Status.eq(EnrollmentStatus::Active))
        .filter(enrollments::Column::ActivatedAt.is_not_null())
        .all(db)
        .await?;
    let open = questionnaire_due::Entity::find()
        .filter(questionnaire_due::Column::AnsweredAt.is_null())
        .all(db)
        .await?;
    let mut open: HashMap<(String, String), questionnaire_due::Model> =
        open.into_iter().map(|r| ((r.enrollment_id.clone(), r.assessment_id.clone()), r)).collect();
    let mut flagged = 0;
    for enrollment in &active {
        let Some(program) = state.content.program(&enrollment.program_id) else { continue };
        let due = super::service::due_in(db, &state.content, enrollment, program, now).await?;
        let mut assessments: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
        for d in &due {
            let since = assessments.entry(d.assessment.id.as_str()).or_insert(d.since);
            *since = (*since).min(d.since);
        }
        for (assessment, since) in assessments {
            let key = (enrollment.id.clone(), assessment.to_string());
            let known = open.remove(&key);
            if notify(db, enrollment, (assessment, since), known, (today, state.settings.care.timezone), now)
                .await?
            {
                flagged += 1;
            }
        }
    }
    // What is left open was answered (or the treatment moved on) since.
    for row in open.into_values() {
        mark_answered(db, &row.enrollment_id, &row.assessment_id, now).await?;
    }
    Ok(flagged)
}

/// The first notice for an assessment, or its one reminder on the third
/// day after the notice.
async fn notify(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    (assessment, since): (&str, DateTime<Utc>),
    known: Option<questionnaire_due::Model>,
    (today, tz): (NaiveDate, chrono_tz::Tz),
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let days_since = |at: DateTime<Utc>| (today - at.with_timezone(&tz).date_naive()).num_days();
    match known {
        None => {
            let row = questionnaire_due::ActiveModel {
                enrollment_id: Set(enrollment.id.clone()),
                assessment_id: Set(assessment.to_string()),
                due_since: Set(since),
                notified_at: Set(now),
                reminded_at: Set(None),
                answered_at: Set(None),
            };
            questionnaire_due::Entity::insert(row).exec_without_returning(db).await?;
        }
        Some(row) if row.reminded_at.is_none() && days_since(row.notified_at) >= REMIND_AFTER_DAYS => {
            questionnaire_due::Entity::update_many()
                .col_expr(questionnaire_due::Column::RemindedAt, Some(now).into())
                .filter(questionnaire_due::Column::EnrollmentId.eq(&enrollment.id))
                .filter(questionnaire_due::Column::AssessmentId.eq(assessment))
                .exec(db)
                .await?;
        }
        Some(_) => return Ok(false),
    }
    digests::notice_patient(db, &enrollment.id, PatientNotice::QuestionnaireDue, now).await?;
    Ok(true)
}

/// Every questionnaire of the assessment is answered: no more reminders, and
/// not overdue.
pub async fn mark_answered(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    assessment_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    questionnaire_due::Entity::update_many()
        .col_expr(questionnaire_due::Column::AnsweredAt, Some(now).into())
        .filter(questionnaire_due::Column::EnrollmentId.eq(enrollment_id))
        .filter(questionnaire_due::Column::AssessmentId.eq(assessment_id))
        .filter(questionnaire_due::Column::AnsweredAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Per enrollment among `ids`: the assessments open for seven days or more.
pub async fn overdue(
    db: &impl ConnectionTrait,
    ids: &[String],
    now: DateTime<Utc>,
) -> AppResult<HashMap<String, Vec<String>>> {
    let rows = questionnaire_due::Entity::find()
        .filter(questionnaire_due::Column::EnrollmentId.is_in(ids.iter().cloned()))
        .filter(questionnaire_due::Column::AnsweredAt.is_null())
        .filter(questionnaire_due::Column::DueSince.lte(now - Duration::days(OVERDUE_AFTER_DAYS)))
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        out.entry(row.enrollment_id).or_default().push(row.assessment_id);
    }
    Ok(out)
}
