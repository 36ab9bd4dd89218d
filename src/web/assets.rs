//! Static assets, built into the binary and served with long cache lifetimes;
//! links carry `?v=ASSET_VERSION` so a new build is fetched at once.

use axum::{
    extract::Path,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

use crate::app::AppState;

const ASSETS: &[(&str, &str, &str)] =
    &[("app.css", "text/css; charset=utf-8", include_str!("static/app.css"))];

/// Changes whenever the crate version changes; good enough for cache busting
/// because assets ship inside the binary.
pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn asset_routes() -> Router<AppState> {
    Router::new().route("/static/{file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
