//! Media for pages (relaxation audio, videos), with range requests so players
//! can seek, for logged-in users only.

use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::{app::AppState, auth::Principal, error::AppError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{program}/{file}", get(media))
}

async fn media(
    State(state): State<AppState>,
    _principal: Principal,
    Path((program, file)): Path<(String, String)>,
    request: Request,
) -> Result<Response, AppError> {
    let path = state.content.media_path(&program, &file).ok_or(AppError::NotFound)?;
    let mut response = ServeFile::new(path)
        .oneshot(request)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    Ok(response)
}
