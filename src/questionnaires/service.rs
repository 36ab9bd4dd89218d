//! What is due, and answering it.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::{Map, Value};

use crate::{
    accounts::Role,
    content::{
        model::{Assessment, AssessmentWhen},
        scoring, Program, Questionnaire,
    },
    digests::{self, NotificationKind},
    enrollment,
    entities::{enrollments, questionnaire_responses},
    error::{AppError, AppResult},
    ids,
    progress::service::{self as progress, ModuleState, Progress},
    state::AppState,
    usage::{self, UsageEvent},
};

/// A questionnaire the patient should fill in now.
pub struct Due<'a> {
    pub assessment: &'a Assessment,
    pub questionnaire: &'a Questionnaire,
    pub since: DateTime<Utc>,
}

/// When each assessment falls due, if it has.
fn due_since(
    assessment: &Assessment,
    program: &Program,
    progress: &Progress,
    enrollment: &enrollments::Model,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let completed_at = |module: &str| {
        progress
            .modules
            .get(module)
            .filter(|m| m.state == ModuleState::Completed)
            .and_then(|m| m.completed_at)
    };
    let end = || -> Option<DateTime<Utc>> {
        let states: Vec<_> = program.modules.iter().map(|m| progress.modules.get(&m.id)).collect();
        let finished = states
            .iter()
            .all(|s| s.is_some_and(|s| matches!(s.state, ModuleState::Completed | ModuleState::Skipped)));
        finished.then(|| states.iter().flatten().filter_map(|s| s.completed_at).max()).flatten()
    };
    match assessment.when {
        AssessmentWhen::Baseline => Some(enrollment.enrolled_at),
        AssessmentWhen::AfterModule => assessment.module.as_deref().and_then(completed_at),
        AssessmentWhen::End => end(),
        AssessmentWhen::FollowUp => end()
            .map(|e| e + Duration::weeks(assessment.weeks.unwrap_or(12).into()))
            .filter(|due| *due <= now),
    }
}

/// The questionnaires due now and not yet answered, in schedule order.
pub async fn due<'a>(
    state: &'a AppState,
    enrollment: &enrollments::Model,
    program: &'a Program,
) -> AppResult<Vec<Due<'a>>> {
    due_in(&state.db, &state.content, enrollment, program, state.clock.now()).await
}

/// As `due`, read through `db` (a transaction, say).
pub async fn due_in<'a>(
    db: &impl ConnectionTrait,
    content: &'a crate::content::Catalogue,
    enrollment: &enrollments::Model,
    program: &'a Program,
    now: DateTime<Utc>,
) -> AppResult<Vec<Due<'a>>> {
    let progress = Progress::load(db, &enrollment.id).await?;
    let answered = responses(db, &enrollment.id).await?;
    let mut out = Vec::new();
    for assessment in &program.assessments {
        let Some(since) = due_since(assessment, program, &progress, enrollment, now) else { continue };
        for instrument in &assessment.instruments {
            let done = answered
                .iter()
                .any(|r| r.assessment_id == assessment.id && &r.questionnaire_id == instrument);
            if let (false, Some(questionnaire)) = (done, content.questionnaire(instrument)) {
                out.push(Due { assessment, questionnaire, since });
            }
        }
    }
    Ok(out)
}

/// Scores and stores the answers for the earliest due assessment that asks
/// for this questionnaire; a risk rule notifies the therapist urgently.
pub async fn answer(
    state: &AppState,
    enrollment: &enrollments::Model,
    questionnaire_id: &str,
    given: &Map<String, Value>,
) -> AppResult<(questionnaire_responses::Model, scoring::Scored)> {
    let program = progress::program_of(&state.content, enrollment)?;
    let all_due = due(state, enrollment, program).await?;
    let due = all_due.iter().find(|d| d.questionnaire.id == questionnaire_id).ok_or(AppError::NotFound)?;
    // The last questionnaire of its assessment: the reminders stop.
    let completes = all_due.iter().filter(|d| d.assessment.id == due.assessment.id).count() == 1;
    let scored = scoring::score(due.questionnaire, given).map_err(AppError::Invalid)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = questionnaire_responses::ActiveModel {
        id: Set(ids::new_id()),
        enrollment_id: Set(enrollment.id.clone()),
        questionnaire_id: Set(questionnaire_id.to_string()),
        assessment_id: Set(due.assessment.id.clone()),
        content_version: Set(state.content.version.clone()),
        answers: Set(serde_json::to_string(&scored.answers).map_err(|e| AppError::Internal(e.into()))?),
        score: Set(scored.score as i32),
        band: Set(scored.band.label.clone()),
        risk: Set(!scored.risks.is_empty()),
        submitted_at: Set(now),
        reviewed_at: Set(None),
        ..Default::default()
    };
    let saved = questionnaire_responses::Entity::insert(row).exec_with_returning(&txn).await?;
    crate::care_flags::raise_if_above_threshold(&txn, &state.content, enrollment, &saved).await?;
    if completes {
        super::reminders::mark_answered(&txn, &enrollment.id, &due.assessment.id, now).await?;
    }
    let event = UsageEvent::new("questionnaire.completed").item(questionnaire_id).value(scored.score as f64);
    usage::record(&txn, enrollment, Role::Patient, event, now).await?;
    digests::notify(&txn, enrollment, NotificationKind::Questionnaire, Some(questionnaire_id), now).await?;
    if !scored.risks.is_empty() {
        digests::notify(&txn, enrollment, NotificationKind::Risk, Some(questionnaire_id), now).await?;
        digests::urgent::alert_risk(state, &txn, enrollment, now).await?;
    }
    enrollment::service::touch(&txn, &enrollment.id, now).await?;
    txn.commit().await?;
    Ok((saved, scored))
}

/// Every response, oldest first.
pub async fn responses(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
) -> AppResult<Vec<questionnaire_responses::Model>> {
    Ok(questionnaire_responses::Entity::find()
        .filter(questionnaire_responses::Column::EnrollmentId.eq(enrollment_id))
        .order_by_asc(questionnaire_responses::Column::SubmittedAt)
        .all(db)
        .await?)
}
