//! How every HTML form post ends. Valid: a redirect to the next page, which
//! confirms what was done in one short line. Invalid: the same form again,
//! 422, with a summary of the errors at the top linking to each field and the
//! messages beside the fields. Anything else: the error page.
//!
//! The confirmation travels as `?done=<notice>` on the redirect, so it works
//! without JavaScript, cookies or server memory, on any instance.

use std::future::Future;

use axum::{
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::error::{AppError, AppResult, FieldErrors};

/// A confirmation shown once at the top of the next page; its text is the
/// Fluent message `done-<key>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    AssignmentDraftSaved,
    AssignmentSent,
    AutoUnlockChanged,
    CadenceChanged,
    ClinicCreated,
    ContactLogged,
    CoverArranged,
    DiarySaved,
    DigestSettingsSaved,
    ExtraSupport,
    FeedbackSent,
    InvitationSent,
    LanguageChanged,
    LoggedOut,
    MailRetried,
    MessageSent,
    NoStepUp,
    ModuleChanged,
    PageRead,
    PasswordChanged,
    PatientErased,
    ReminderSaved,
    ReplySent,
    RiskHandled,
    RetentionSaved,
    RoleChanged,
    SessionsEnded,
    SettingsSaved,
    SnippetDeleted,
    SnippetSaved,
    StaffDeactivated,
    StaffInvited,
    StaffReactivated,
    StatusChanged,
    SteppedUp,
    TeamCreated,
    TimeZoneChanged,
    TotpReset,
    TreatmentsSaved,
    VisibilityChanged,
}

impl Notice {
    const ALL: [(Notice, &'static str); 40] = [
        (Notice::AssignmentDraftSaved, "draft"),
        (Notice::AssignmentSent, "submitted"),
        (Notice::AutoUnlockChanged, "auto-unlock-changed"),
        (Notice::CadenceChanged, "cadence-changed"),
        (Notice::ClinicCreated, "clinic-created"),
        (Notice::ContactLogged, "contact-logged"),
        (Notice::CoverArranged, "cover-arranged"),
        (Notice::DiarySaved, "entry"),
        (Notice::DigestSettingsSaved, "digest-settings-saved"),
        (Notice::ExtraSupport, "extra-support"),
        (Notice::FeedbackSent, "feedback-sent"),
        (Notice::InvitationSent, "invitation-sent"),
        (Notice::LanguageChanged, "language-changed"),
        (Notice::LoggedOut, "logged-out"),
        (Notice::MailRetried, "mail-retried"),
        (Notice::MessageSent, "message-sent"),
        (Notice::NoStepUp, "no-step-up"),
        (Notice::ModuleChanged, "module-changed"),
        (Notice::PageRead, "page-read"),
        (Notice::PasswordChanged, "password-changed"),
        (Notice::PatientErased, "erased"),
        (Notice::ReminderSaved, "reminder-saved"),
        (Notice::ReplySent, "reply-sent"),
        (Notice::RiskHandled, "risk-handled"),
        (Notice::RetentionSaved, "retention-saved"),
        (Notice::RoleChanged, "role-changed"),
        (Notice::SessionsEnded, "sessions-ended"),
        (Notice::SettingsSaved, "settings-saved"),
        (Notice::SnippetDeleted, "snippet-deleted"),
        (Notice::SnippetSaved, "snippet-saved"),
        (Notice::StaffDeactivated, "deactivated"),
        (Notice::StaffInvited, "invited"),
        (Notice::StaffReactivated, "reactivated"),
        (Notice::StatusChanged, "status-changed"),
        (Notice::SteppedUp, "stepped-up"),
        (Notice::TeamCreated, "team-created"),
        (Notice::TimeZoneChanged, "timezone-changed"),
        (Notice::TotpReset, "totp-reset"),
        (Notice::TreatmentsSaved, "treatments-saved"),
        (Notice::VisibilityChanged, "visibility-changed"),
    ];

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(n, _)| *n == self).map_or("", |(_, key)| key)
    }

    /// Only known notices are shown: the query string is the visitor's to
    /// write, so it never becomes page text.
    pub fn from_key(key: &str) -> Option<Notice> {
        Self::ALL.iter().find(|(_, k)| *k == key).map(|(n, _)| *n)
    }
}

/// Back to `to`, whose page then confirms `notice`.
pub fn confirmed(to: &str, notice: Notice) -> Response {
    let joiner = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{joiner}done={}", notice.key())).into_response()
}

/// The end every form post shares: `done` with what the service returned
/// (mostly `confirmed`); on invalid input the page `again` renders with the
/// errors, answered 422; any other error goes on to the error page.
pub async fn finish<T, Done, Again>(
    result: AppResult<T>,
    done: impl FnOnce(T) -> Done,
    again: impl FnOnce(FieldErrors) -> Again,
) -> AppResult<Response>
where
    Done: Future<Output = AppResult<Response>>,
    Again: Future<Output = AppResult<Response>>,
{
    match result {
        Ok(value) => done(value).await,
        Err(AppError::Invalid(errors)) => {
            let mut page = again(errors).await?;
            *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(page)
        }
        Err(other) => Err(other),
    }
}

tokio::task_local! {
    static NOTICE: Option<Notice>;
    /// The page a GET rendered (path and query), which its forms carry in a
    /// hidden `from` field: where to go back to if a post meets an ended
    /// session (`auth::kept_forms`).
    static PAGE: Option<String>;
}

/// Reads the request's `done=`, so that the page rendered for it shows the
/// confirmation without each handler passing it on; and which page its forms
/// belong to: the path of a GET, or for a form post (whose answer may be the
/// form again, with errors) the page the form came from.
pub async fn carry_notice(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    // Most requests carry no confirmation; only those with `done=` are parsed.
    let notice = request.uri().query().filter(|q| q.contains("done=")).and_then(|query| {
        form_urlencoded_pairs(query).find(|(k, _)| k == "done").and_then(|(_, v)| Notice::from_key(&v))
    });
    let (page, request) = if request.method() == axum::http::Method::GET {
        (request.uri().path_and_query().map(|p| p.as_str().to_string()), request)
    } else if is_page_form(&request) {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, state.settings.server.body_limit_bytes).await else {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        let from = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .unwrap_or_default()
            .into_iter()
            .find(|(k, _)| k == crate::auth::kept_forms::FROM_FIELD)
            .and_then(|(_, v)| crate::auth::routes::safe_next(Some(&v)));
        (from, Request::from_parts(parts, axum::body::Body::from(bytes)))
    } else {
        (None, request)
    };
    NOTICE.scope(notice, PAGE.scope(page, next.run(request))).await
}

fn is_page_form(request: &Request) -> bool {
    let form = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    request.method() == axum::http::Method::POST && form && !request.uri().path().starts_with("/api/")
}

/// The page being rendered, for its forms' `from` field.
pub fn current_page() -> Option<String> {
    PAGE.try_with(Clone::clone).ok().flatten()
}

/// The confirmation for the page being rendered, if any.
pub fn current_notice() -> Option<Notice> {
    NOTICE.try_with(|notice| *notice).ok().flatten()
}

fn form_urlencoded_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default().into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_has_one_key() {
        for (notice, key) in Notice::ALL {
            assert_eq!(Notice::from_key(key), Some(notice));
            assert_eq!(notice.key(), key);
        }
        assert_eq!(Notice::from_key("<script>"), None);
    }
}
