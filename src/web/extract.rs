//! Body extractors whose rejections are `AppError`s, so bad input gets the
//! same problem shape (and HTML page) everywhere.

use axum::{
    body::{Body, Bytes},
    extract::{rejection::FormRejection, rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AppError;

/// `Json<T>` with problem+json rejections: 413 too large, 422 naming the field
/// that did not fit (or that holds a NUL character, which no text may:
/// PostgreSQL refuses it), 400 for malformed JSON.
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (req, bytes) = buffered(req, state).await?;
        let value = match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        // Valid JSON can only hold a NUL as the escape `\u0000`.
        if bytes.windows(6).any(|w| w == b"\\u0000") {
            if let Some(field) = serde_json::from_slice::<Value>(&bytes).ok().and_then(|v| nul_at(&v, "")) {
                return Err(AppError::field(&field, "Use text without NUL characters (\\u0000)."));
            }
        }
        Ok(AppJson(value))
    }
}

/// Reads the body (within the body limit) so it can be looked at for NULs,
/// and gives back the request to hand on to axum's extractor.
async fn buffered<S: Send + Sync>(req: Request, state: &S) -> Result<(Request, Bytes), AppError> {
    let mut again = Request::new(Body::empty());
    *again.method_mut() = req.method().clone();
    *again.uri_mut() = req.uri().clone();
    *again.headers_mut() = req.headers().clone();
    *again.extensions_mut() = req.extensions().clone();
    let bytes = Bytes::from_request(req, state).await.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        _ => AppError::BadRequest(rejection.body_text()),
    })?;
    *again.body_mut() = Body::from(bytes.clone());
    Ok((again, bytes))
}

/// The path (`answers.item`, `rows[0].note`) of the first string or key that
/// holds a NUL; a key's own NUL is blamed on the object holding it.
fn nul_at(value: &Value, path: &str) -> Option<String> {
    let here = || if path.is_empty() { "body".to_string() } else { path.to_string() };
    match value {
        Value::String(text) if text.contains('\0') => Some(here()),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| nul_at(item, &format!("{path}[{i}]")))
        }
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some(here());
            }
            nul_at(item, &if path.is_empty() { key.clone() } else { format!("{path}.{key}") })
        }),
        _ => None,
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

/// `Form<T>` with `AppError` rejections; a field holding a NUL gets 422.
pub struct AppForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A query (GET forms) has been checked by `refuse_unstorable_urls`.
        let (req, bytes) = buffered(req, state).await?;
        if bytes.windows(3).any(|w| w == b"%00") {
            let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default();
            if let Some((name, _)) =
                fields.iter().find(|(name, value)| name.contains('\0') || value.contains('\0'))
            {
                let name = if name.contains('\0') { "form" } else { name.as_str() };
                return Err(AppError::field(name, "Use text without NUL characters."));
            }
        }
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
