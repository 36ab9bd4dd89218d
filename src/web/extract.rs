//! Body extractors whose rejections are `AppError`s, so bad input gets the
//! same problem shape (and HTML page) everywhere.

use axum::{
    extract::{rejection::FormRejection, rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// `Json<T>` with problem+json rejections: 413 too large, 422 naming the field
/// that did not fit, 400 for malformed JSON.
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::PayloadTooLarge;
    }
    match rejection {
        JsonRejection::JsonDataError(e) => {
            let text = e.body_text();
            // "Failed to deserialize the JSON body into the target type: email: missing field"
            let detail = text.split_once(": ").map(|(_, rest)| rest).unwrap_or(&text).to_string();
            let field =
                detail.split_once(": ").map(|(path, _)| path.to_string()).unwrap_or_else(|| "body".into());
            let field = if field.contains(' ') { "body".to_string() } else { field };
            AppError::field(&field, detail)
        }
        JsonRejection::MissingJsonContentType(_) => {
            AppError::BadRequest("send the body as JSON with Content-Type: application/json".into())
        }
        other => AppError::BadRequest(other.body_text()),
    }
}

/// `Form<T>` with `AppError` rejections.
pub struct AppForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(AppForm(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::PayloadTooLarge)
            }
            Err(FormRejection::FailedToDeserializeForm(e)) => Err(AppError::BadRequest(e.body_text())),
            Err(other) => Err(AppError::BadRequest(other.body_text())),
        }
    }
}
