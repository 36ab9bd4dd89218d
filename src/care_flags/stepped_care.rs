//! Raising the stepped-care flag from an end-of-treatment score.

use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::{
    accounts::Role,
    content::{model::AssessmentWhen, Catalogue},
    entities::{care_flags, enrollments, enums::FlagKind, questionnaire_responses},
    error::AppResult,
    ids,
    usage::{self, UsageEvent},
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
        detail: Set(None),
    };
    care_flags::Entity::insert(flag).exec(db).await?;
    let event = UsageEvent::new("flag.raised").item("stepped_care").value(response.score.into());
    usage::record(db, enrollment, Role::Patient, event, response.submitted_at).await?;
    Ok(true)
}
