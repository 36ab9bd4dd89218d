//! The account e-mails: invitation and password reset. They hold a link and
//! nothing about treatment.

use tera::Context;

use crate::{entities::users, error::AppResult, mail::Email, state::AppState, web::Lang};

pub fn invitation(
    state: &AppState,
    user: &users::Model,
    clinic_name: &str,
    url: &str,
    lifetime: chrono::Duration,
) -> AppResult<Email> {
    let lang = Lang::from_code(&user.locale).unwrap_or_default();
    let mut context = Context::new();
    context.insert("name", &user.name);
    context.insert("clinic", clinic_name);
    context.insert("url", url);
    context.insert("days", &lifetime.num_days());
    Ok(Email {
        kind: crate::entities::states::MailKind::Invitation,
        to: user.email.clone(),
        subject: state.views.text(lang, "mail-invitation-subject"),
        body: state.views.render_text("mail/invitation.txt", lang, context)?,
    })
}

pub fn password_reset(
    state: &AppState,
    user: &users::Model,
    url: &str,
    lifetime: chrono::Duration,
) -> AppResult<Email> {
    let lang = Lang::from_code(&user.locale).unwrap_or_default();
    let mut context = Context::new();
    context.insert("name", &user.name);
    context.insert("url", url);
    context.insert("hours", &lifetime.num_hours());
    Ok(Email {
        kind: crate::entities::states::MailKind::PasswordReset,
        to: user.email.clone(),
        subject: state.views.text(lang, "mail-reset-subject"),
        body: state.views.render_text("mail/password_reset.txt", lang, context)?,
    })
}
