//! The one error type of every handler and service function.
//!
//! Policy: the status and a short, safe title go to the client; a cause is
//! logged only for 5xx, and never shown. `/api/*` answers are
//! `application/problem+json`; `web::error_pages` turns the same answer into an
//! HTML page for browsers.

use std::{collections::BTreeMap, time::Duration};

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

/// Field name → messages, in the order fields appear.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not authenticated")]
    Unauthenticated,
    /// The `type` suffix tells an API client why, e.g. `totp-required`.
    #[error("not authenticated: {0}")]
    UnauthenticatedBecause(&'static str),
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("gone")]
    Gone,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("invalid input: {}", describe(.0))]
    Invalid(FieldErrors),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("too many requests")]
    Throttled { retry_after: Duration },
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The problem+json body (RFC 9457). Also kept in the response extensions so
/// the HTML layer can render the same error as a page.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
}

impl AppError {
    /// One field's message, for the common single-field case.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(BTreeMap::from([(field.to_string(), vec![message.into()])]))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::UnauthenticatedBecause(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone => StatusCode::GONE,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        let status = self.status();
        let (slug, title, detail, errors) = match self {
            AppError::Unauthenticated => ("unauthenticated", "Please log in", None, None),
            AppError::UnauthenticatedBecause(why) => (*why, "Please log in", None, None),
            AppError::Forbidden => ("forbidden", "This action is not allowed", None, None),
            AppError::NotFound => ("not-found", "Not found", None, None),
            AppError::Conflict(detail) => ("conflict", "Conflict", Some(detail.clone()), None),
            AppError::Gone => ("gone", "This link has been used or has expired", None, None),
            AppError::PayloadTooLarge => ("payload-too-large", "The request is too large", None, None),
            AppError::Invalid(errors) => {
                ("invalid", "Some fields need attention", None, Some(errors.clone()))
            }
            AppError::BadRequest(detail) => ("bad-request", "Bad request", Some(detail.clone()), None),
            AppError::Throttled { .. } => {
                ("throttled", "Too many attempts; please wait a moment", None, None)
            }
            AppError::Unavailable => ("unavailable", "The service is temporarily unavailable", None, None),
            AppError::Database(_) | AppError::Internal(_) => {
                ("internal", "Something went wrong on our side", None, None)
            }
        };
        Problem {
            kind: format!("https://icbt.invalid/problems/{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, cause = ?self, "request failed");
        }
        let problem = self.problem();
        let mut response = (status, Json(problem.clone())).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let AppError::Throttled { retry_after } = self {
            // Rounded up: a client that waits this long is let in.
            let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            let secs = secs.to_string();
            if let Ok(value) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response.extensions_mut().insert(problem);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// `field: message; field: message`, for errors shown outside a response.
fn describe(errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(field, messages)| format!("{field}: {}", messages.join(" ")))
        .collect::<Vec<_>>()
        .join("; ")
}
