//! Raising the stepped-care flag from an end-of-treatment score, and the
//! therapist's decision on it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    accounts::Role,
    audit,
    auth::Principal,
    content::{model::AssessmentWhen, Catalogue},
    entities::{
        care_flags, enrollments,
        enums::{EnrollmentStatus, FlagDecision, FlagKind},
        questionnaire_responses,
    },
    error::{AppError, AppResult, FieldErrors},
    ids,
    state::AppState,
    usage::{self, UsageEvent},
    web::ClientInfo,
};

/// Raises the stepped-care flag when `response` is the program's
/// stepped-care instrument at the end of treatment and scores at or above
/// its threshold. Runs in the transaction that saves the response.
pub async fn raise_if_above_threshold(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    enrollment: &enrollments::Model,
    response: &questionnaire_responses::Model,
) -> AppResult<bool> {
    let Some(program) = content.program(&enrollment.program_id) else { return Ok(false) };
    let Some(rule) = &program.stepped_care else { return Ok(false) };
    let at_end =
        program.assessments.iter().any(|a| a.id == response.assessment_id && a.when == AssessmentWhen::End);
    if !at_end || response.questionnaire_id != rule.instrument || i64::from(response.score) < rule.at_or_above
    {
        return Ok(false);
    }
    let flag = care_flags::ActiveModel {
        id: Set(ids::new_id()),
        enrollment_id: Set(enrollment.id.clone()),
        kind: Set(FlagKind::SteppedCare),
        response_id: Set(Some(response.id.clone())),
        score: Set(response.score),
        threshold: Set(rule.at_or_above as i32),
        raised_at: Set(response.submitted_at),
        decision: Set(None),
        reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    };
    care_flags::Entity::insert(flag).exec(db).await?;
    let event = UsageEvent::new("flag.raised").item("stepped_care").value(response.score.into());
    usage::record(db, enrollment, Role::Patient, event, response.submitted_at).await?;
    Ok(true)
}

/// An open flag as the record's banner shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FlagView {
    pub id: String,
    pub kind: FlagKind,
    /// The questionnaire whose end score raised it.
    pub questionnaire: String,
    pub score: i32,
    pub max: i64,
    pub threshold: i32,
    pub raised_at: DateTime<Utc>,
}

/// The patient's flags still waiting for a decision, oldest first.
pub async fn open_flags(state: &AppState, enrollment: &enrollments::Model) -> AppResult<Vec<FlagView>> {
    let flags = care_flags::Entity::find()
        .filter(care_flags::Column::EnrollmentId.eq(&enrollment.id))
        .filter(care_flags::Column::DecidedAt.is_null())
        .order_by_asc(care_flags::Column::RaisedAt)
        .all(&state.db)
        .await?;
    let rule = state.content.program(&enrollment.program_id).and_then(|p| p.stepped_care.as_ref());
    let questionnaire = rule.and_then(|r| state.content.questionnaire(&r.instrument));
    Ok(flags
        .into_iter()
        .map(|flag| FlagView {
            id: flag.id,
            kind: flag.kind,
            questionnaire: questionnaire.map_or_else(String::new, |q| q.title.clone()),
            max: questionnaire.map_or(0, |q| q.max),
            score: flag.score,
            threshold: flag.threshold,
            raised_at: flag.raised_at,
        })
        .collect())
}

/// The enrollments among `ids` with an open flag, and the flags' kinds.
pub async fn open_kinds(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> AppResult<std::collections::HashMap<String, Vec<FlagKind>>> {
    let flags = care_flags::Entity::find()
        .filter(care_flags::Column::EnrollmentId.is_in(ids.iter().cloned()))
        .filter(care_flags::Column::DecidedAt.is_null())
        .all(db)
        .await?;
    let mut out: std::collections::HashMap<String, Vec<FlagKind>> = Default::default();
    for flag in flags {
        out.entry(flag.enrollment_id).or_default().push(flag.kind);
    }
    Ok(out)
}

/// "Step up to face-to-face" (sets the status) or "no step-up", each with a
/// reason. A flag already decided, or not this patient's, is not found.
pub async fn decide(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    (flag_id, decision, reason): (&str, Option<FlagDecision>, &str),
    client: &ClientInfo,
) -> AppResult<FlagDecision> {
    let reason = reason.trim();
    let mut errors = FieldErrors::new();
    if decision.is_none() {
        errors.insert("decision".into(), vec!["Choose: step up to face-to-face, or no step-up.".into()]);
    }
    if reason.is_empty() || reason.chars().count() > 1000 {
        errors
            .insert("reason".into(), vec!["Say briefly why, for the record (up to 1000 characters).".into()]);
    }
    let Some(decision) = decision.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let open = care_flags::Entity::find_by_id(flag_id.to_string())
        .filter(care_flags::Column::EnrollmentId.eq(&enrollment.id))
        .filter(care_flags::Column::DecidedAt.is_null())
        .one(&state.db)
        .await?;
    if open.is_none() {
        return Err(AppError::NotFound);
    }
    if decision == FlagDecision::SteppedUp {
        let status = EnrollmentStatus::SteppedUp.as_str();
        crate::enrollment::service::change_status(state, therapist, enrollment, status, reason, client)
            .await?;
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let decided = care_flags::Entity::update_many()
        .col_expr(care_flags::Column::Decision, Some(decision).into())
        .col_expr(care_flags::Column::Reason, Some(reason.to_string()).into())
        .col_expr(care_flags::Column::DecidedBy, Some(therapist.id().to_string()).into())
        .col_expr(care_flags::Column::DecidedAt, Some(now).into())
        .filter(care_flags::Column::Id.eq(flag_id))
        .filter(care_flags::Column::EnrollmentId.eq(&enrollment.id))
        .filter(care_flags::Column::DecidedAt.is_null())
        .exec(&txn)
        .await?;
    if decided.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    let label = match decision {
        FlagDecision::SteppedUp => "stepped_up",
        FlagDecision::NoStepUp => "no_step_up",
    };
    let entry =
        therapist.audit("patient.stepped_care_decided").target("patient", &enrollment.id).detail(label);
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(decision)
}
