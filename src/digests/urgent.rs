//! Urgent alerts: a questionnaire answer that trips a risk rule is e-mailed to
//! the therapist at once, in the transaction that stores the answer. No
//! setting delays or silences it; the e-mail holds the case code and a link,
//! never the answer or the score.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};
use tera::Context;

use crate::{
    entities::{enrollments, users},
    error::AppResult,
    mail::{self, Email},
    state::AppState,
    web::Lang,
};

/// Queues the alert for the patient's therapist and, on the days someone
/// covers for them, for the cover too.
pub async fn alert_risk(
    state: &AppState,
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let today = now.with_timezone(&state.settings.care.timezone).date_naive();
    let mut recipients = vec![enrollment.therapist_id.clone()];
    if let Some(cover) = crate::enrollment::cover::cover_of(db, &enrollment.therapist_id, today).await? {
        recipients.push(cover.cover_id);
    }
    let url = format!("{}/patients/{}", state.settings.server.public_url, enrollment.id);
    for id in recipients {
        let Some(user) = users::Entity::find_by_id(id).one(db).await? else { continue };
        let lang = Lang::from_code(&user.locale).unwrap_or_default();
        let mut context = Context::new();
        context.insert("name", &user.name);
        context.insert("case_code", &enrollment.case_code);
        context.insert("url", &url);
        let email = Email {
            kind: crate::entities::states::MailKind::RiskAlert,
            to: user.email,
            subject: state.views.text(lang, "risk-alert-subject"),
            body: state.views.render_text("mail/risk_alert.txt", lang, context)?,
        };
        mail::enqueue(db, email, &state.settings.server.public_url, now).await?;
    }
    Ok(())
}
