//! Static assets, built into the binary and served with long cache lifetimes;
//! links carry `?v=<hash of the assets>` so a changed asset is fetched at once.

use axum::{
    extract::Path,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::routing::{Access, Routes};

const ASSETS: &[(&str, &str, &str)] = &[
    ("app.css", "text/css; charset=utf-8", include_str!("static/app.css")),
    ("autosave.js", "text/javascript; charset=utf-8", include_str!("static/autosave.js")),
    ("session.js", "text/javascript; charset=utf-8", include_str!("static/session.js")),
    ("icon.svg", "image/svg+xml", include_str!("static/icon.svg")),
];

/// A hash of every asset: links carry it, so a changed asset is fetched anew
/// although each one is cached "immutable" for a year.
pub fn asset_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for (name, _, body) in ASSETS {
            hasher.update(name.as_bytes());
            hasher.update(body.as_bytes());
        }
        hex::encode(&hasher.finalize()[..5])
    })
}

pub fn asset_routes() -> Routes {
    Routes::new().page(Access::Public, "/static/{file}", get(asset)).page(
        Access::Public,
        "/favicon.ico",
        get(favicon),
    )
}

/// Browsers and bookmark tools ask for `/favicon.ico` whatever the page links.
async fn favicon() -> Response {
    let icon = include_str!("static/icon.svg");
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], icon)
        .into_response()
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
