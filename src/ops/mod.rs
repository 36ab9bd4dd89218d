//! Operations endpoints: liveness, readiness, Prometheus metrics and the
//! OpenAPI document.

mod openapi;

use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Json, Router};
use serde::Serialize;

pub use openapi::ApiDoc;

use crate::{app::AppState, db, error::AppError, telemetry};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi::document))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
}

/// The process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses((status = 200, body = Health), (status = 503, description = "the database does not answer"))
)]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    if db::is_ready(&state.db).await {
        Ok(Json(Health { status: "ready" }))
    } else {
        Err(AppError::Unavailable)
    }
}

async fn metrics() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        telemetry::metrics_handle().render(),
    )
}
