//! Risk answers on the record. An answer that trips a questionnaire's risk
//! rule stays open, first on the caseload and as a banner on top of the
//! record, until the therapist says they contacted the patient, with a note.
//! Feedback does not close it: a message is not a contact. Handling is
//! audited and stays on the timeline.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    audit,
    auth::Principal,
    content::{model::Questionnaire, Catalogue},
    entities::{enrollments, questionnaire_responses},
    error::{AppError, AppResult, FieldErrors},
    state::AppState,
    web::ClientInfo,
};

/// One risk answer not yet handled.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OpenRisk {
    /// The questionnaire response that holds the answer.
    pub response_id: String,
    pub questionnaire: String,
    /// The question as the patient read it.
    pub item: String,
    /// The answer the patient chose, as they saw it.
    pub answer: String,
    /// What the rule says it means, e.g. "Thoughts of self-harm (PHQ-9 item 9)".
    pub message: String,
    pub at: DateTime<Utc>,
}

/// The patient's unhandled risk answers, oldest first.
pub async fn open_risks(state: &AppState, enrollment_id: &str) -> AppResult<Vec<OpenRisk>> {
    let responses = questionnaire_responses::Entity::find()
        .filter(questionnaire_responses::Column::EnrollmentId.eq(enrollment_id))
        .filter(questionnaire_responses::Column::Risk.eq(true))
        .filter(questionnaire_responses::Column::RiskHandledAt.is_null())
        .order_by_asc(questionnaire_responses::Column::SubmittedAt)
        .all(&state.db)
        .await?;
    Ok(responses.iter().flat_map(|r| risks_in(&state.content, r)).collect())
}

/// Each rule that `response` trips, with the question and the answer.
pub fn risks_in(content: &Catalogue, response: &questionnaire_responses::Model) -> Vec<OpenRisk> {
    let Some(questionnaire) = content.questionnaire(&response.questionnaire_id) else { return vec![] };
    let answers: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&response.answers).unwrap_or_default();
    questionnaire
        .risk
        .iter()
        .filter_map(|rule| {
            let value = answers.get(&rule.item).and_then(|v| v.as_i64()).filter(|v| *v > rule.above)?;
            Some(OpenRisk {
                response_id: response.id.clone(),
                questionnaire: questionnaire.title.clone(),
                item: item_text(questionnaire, &rule.item),
                answer: answer_label(questionnaire, value),
                message: rule.message.clone(),
                at: response.submitted_at,
            })
        })
        .collect()
}

fn item_text(questionnaire: &Questionnaire, item: &str) -> String {
    questionnaire.items.iter().find(|i| i.id == item).map_or_else(|| item.to_string(), |i| i.text.clone())
}

fn answer_label(questionnaire: &Questionnaire, value: i64) -> String {
    match questionnaire.options.iter().find(|o| o.value == value) {
        Some(option) => format!("{} ({value})", option.label),
        None => value.to_string(),
    }
}

/// "I have contacted the patient": closes the risk answer `response_id` of
/// this patient, with the therapist's note. 422 names the missing parts; a
/// response already handled, or not a risk of this patient, is not found.
pub async fn handle_risk(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    (response_id, contacted, note): (&str, bool, &str),
    client: &ClientInfo,
) -> AppResult<()> {
    let note = note.trim();
    let mut errors = FieldErrors::new();
    if !contacted {
        errors.insert("contacted".into(), vec!["Tick the box once you have contacted the patient.".into()]);
    }
    if note.is_empty() || note.chars().count() > 1000 {
        errors
            .insert("note".into(), vec!["Write a short note on the contact (up to 1000 characters).".into()]);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let handled = questionnaire_responses::Entity::update_many()
        .col_expr(questionnaire_responses::Column::RiskHandledAt, Some(now).into())
        .col_expr(questionnaire_responses::Column::RiskHandledBy, Some(therapist.id().to_string()).into())
        .col_expr(questionnaire_responses::Column::RiskNote, Some(note.to_string()).into())
        .filter(questionnaire_responses::Column::Id.eq(response_id))
        .filter(questionnaire_responses::Column::EnrollmentId.eq(&enrollment.id))
        .filter(questionnaire_responses::Column::Risk.eq(true))
        .filter(questionnaire_responses::Column::RiskHandledAt.is_null())
        .exec(&txn)
        .await?;
    if handled.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    let entry = therapist.audit("patient.risk_handled").target("patient", &enrollment.id).detail(response_id);
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(())
}
