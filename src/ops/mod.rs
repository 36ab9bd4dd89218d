//! Operations endpoints: liveness, readiness, Prometheus metrics and the
//! OpenAPI document.

mod openapi;

use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Json};
use serde::Serialize;
use utoipa_axum::routes;

pub use openapi::{document, ApiDoc, Document};

use crate::{
    db,
    error::AppError,
    routing::{Access, Routes},
    state::AppState,
    telemetry,
};

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(healthz))
        .api(Access::Public, routes!(readyz))
        .page(Access::Public, "/metrics", get(metrics))
        .page(Access::Public, "/api/v1/openapi.json", get(openapi::serve_document))
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
