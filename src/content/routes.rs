//! Media for pages (relaxation audio, videos), with range requests so players
//! can seek, for logged-in users only.

use axum::{
    extract::{Path, Request, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    routing::get,
};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::accounts::Role;
use crate::routing::{Access, Routes};
use crate::{auth::Principal, error::AppError, state::AppState};

pub fn routes() -> Routes {
    // Patients, and the therapists who preview their program.
    Routes::new().page(Access::Only(&[Role::Patient, Role::Therapist]), "/media/{program}/{file}", get(media))
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
