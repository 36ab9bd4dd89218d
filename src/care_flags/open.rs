//! Flags waiting for the therapist: what the record's banner shows, and the
//! decision that closes a flag (audited; a step up also sets the status).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    audit,
    auth::Principal,
    entities::{
        care_flags, enrollments,
        enums::{EnrollmentStatus, FlagDecision, FlagKind},
    },
    error::{AppError, AppResult, FieldErrors},
    state::AppState,
    web::ClientInfo,
};

/// An open flag as the record's banner shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FlagView {
    pub id: String,
    pub kind: FlagKind,
    /// The questionnaire the flag rests on (the end score for stepped care,
    /// the baseline for not on track).
    pub questionnaire: String,
    /// Stepped care: the end score. Not on track: the last week's diary
    /// mean, in tenths.
    pub score: i32,
    pub max: i64,
    /// The score at or above which the rule applies.
    pub threshold: i32,
    pub raised_at: DateTime<Utc>,
    /// Not on track: what the rule saw.
    pub detail: Option<Detail>,
}

/// What a not-on-track flag rests on.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Detail {
    /// The week of treatment it was raised in.
    pub week: i64,
    pub baseline: i64,
    /// The diary's mean over the last seven days, one decimal.
    pub recent_mean: f64,
    pub entries: u32,
    pub diary: String,
    /// The fall from baseline that counts as reliable improvement.
    pub reliable_change: i64,
}

/// The patient's flags still waiting for a decision, oldest first.
pub async fn open_flags(state: &AppState, enrollment: &enrollments::Model) -> AppResult<Vec<FlagView>> {
    let flags = care_flags::Entity::find()
        .filter(care_flags::Column::EnrollmentId.eq(&enrollment.id))
        .filter(care_flags::Column::DecidedAt.is_null())
        .order_by_asc(care_flags::Column::RaisedAt)
        .all(&state.db)
        .await?;
    let program = state.content.program(&enrollment.program_id);
    let instrument = |kind: FlagKind| match kind {
        FlagKind::SteppedCare => program.and_then(|p| p.stepped_care.as_ref()).map(|r| r.instrument.as_str()),
        FlagKind::NotOnTrack => program.and_then(|p| p.not_on_track.as_ref()).map(|r| r.baseline.as_str()),
    };
    Ok(flags
        .into_iter()
        .map(|flag| {
            let questionnaire = instrument(flag.kind).and_then(|id| state.content.questionnaire(id));
            FlagView {
                questionnaire: questionnaire.map_or_else(String::new, |q| q.title.clone()),
                max: questionnaire.map_or(0, |q| q.max),
                detail: flag.detail.as_deref().and_then(|d| serde_json::from_str(d).ok()),
                id: flag.id,
                kind: flag.kind,
                score: flag.score,
                threshold: flag.threshold,
                raised_at: flag.raised_at,
            }
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

/// The decisions a flag of `kind` takes.
fn fits(kind: FlagKind, decision: FlagDecision) -> bool {
    match kind {
        FlagKind::SteppedCare => matches!(decision, FlagDecision::SteppedUp | FlagDecision::NoStepUp),
        FlagKind::NotOnTrack => decision == FlagDecision::ExtraSupport,
    }
}

/// Stepped care: "step up to face-to-face" (sets the status) or "no
/// step-up"; not on track: the extra support given. Each with a reason. A
/// flag already decided, or not this patient's, is not found.
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
    let Some(open) = open else { return Err(AppError::NotFound) };
    if !fits(open.kind, decision) {
        return Err(AppError::field("decision", "Choose one of the options on this banner."));
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
    let (action, label) = match decision {
        FlagDecision::SteppedUp => ("patient.stepped_care_decided", "stepped_up"),
        FlagDecision::NoStepUp => ("patient.stepped_care_decided", "no_step_up"),
        FlagDecision::ExtraSupport => ("patient.extra_support_given", "extra_support"),
    };
    let entry = therapist.audit(action).target("patient", &enrollment.id).detail(label);
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(decision)
}
