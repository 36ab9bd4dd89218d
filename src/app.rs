//! The shared application state and the one place where every feature's
//! routes are merged into the router.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{extract::DefaultBodyLimit, middleware, Router};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
};

use crate::{
    accounts, assignments, audit, auth, caseload,
    clock::Clock,
    config::Settings,
    content::{self, Catalogue},
    db, diaries, digests, enrollment,
    error::AppError,
    home, lifecycle, mail, messages, ops, progress, questionnaires, reports, telemetry,
    web::Views,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Where reports read: see `db::connect_reader`.
    pub reports_db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Arc<Clock>,
    pub views: Arc<Views>,
    pub content: Arc<Catalogue>,
}

impl AppState {
    /// Connects, migrates and loads everything a server or worker needs.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // Invalid content stops the start with the full report.
        let content = Catalogue::load(&settings.content_dir)?;
        let db = db::connect(&settings.database).await?;
        db::migrate(&db).await?;
        let reports_db = db::connect_reader(&settings.database, &db).await?;
        let clock = match settings.clock_start {
            Some(start) => Clock::starting_at(start),
            None => Clock::system(),
        };
        Ok(AppState {
            db,
            reports_db,
            settings: Arc::new(settings),
            clock: Arc::new(clock),
            views: Arc::new(Views::load()?),
            content: Arc::new(content),
        })
    }
}

/// The whole URL map.
pub fn router(state: AppState) -> Router {
    // Install the recorder before the first request is counted.
    telemetry::metrics_handle();
    let api = Router::new()
        .merge(ops::api_routes())
        .merge(auth::api_routes())
        .merge(accounts::api_routes())
        .merge(lifecycle::api_routes())
        .merge(audit::api_routes())
        .merge(mail::api_routes())
        .merge(enrollment::api_routes())
        .merge(progress::api_routes())
        .merge(assignments::api_routes())
        .merge(diaries::api_routes())
        .merge(questionnaires::api_routes())
        .merge(messages::api_routes())
        .merge(caseload::api_routes())
        .merge(digests::api_routes())
        .merge(reports::api_routes());
    let routes = Router::new()
        .merge(ops::routes())
        .merge(crate::web::asset_routes())
        .merge(home::routes())
        .merge(auth::routes())
        .merge(accounts::page_routes())
        .merge(audit::admin_page_routes())
        .merge(mail::admin_page_routes())
        .merge(mail::dev_routes())
        .merge(content::routes())
        .merge(enrollment::page_routes())
        .merge(progress::page_routes())
        .merge(assignments::page_routes())
        .merge(diaries::page_routes())
        .merge(questionnaires::page_routes())
        .merge(messages::page_routes())
        .merge(caseload::page_routes())
        .merge(digests::page_routes())
        .merge(reports::page_routes())
        .nest("/api/v1", api)
        .fallback(|| async { AppError::NotFound });

    let request_id = axum::http::HeaderName::from_static("x-request-id");
    routes
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(telemetry::trace_layer())
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(CatchPanicLayer::new())
                .layer(middleware::from_fn_with_state(state.clone(), crate::web::security_headers))
                .layer(middleware::from_fn_with_state(state.clone(), crate::web::error_pages))
                .layer(middleware::from_fn_with_state(state.clone(), crate::web::csrf_protect))
                .layer(middleware::from_fn_with_state(state.clone(), auth::areas::require_area_role))
                .layer(middleware::from_fn(crate::web::refuse_unstorable_urls))
                .layer(middleware::from_fn(telemetry::record_request_metrics))
                .layer(CompressionLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    axum::http::StatusCode::REQUEST_TIMEOUT,
                    state.settings.server.request_timeout,
                ))
                .layer(DefaultBodyLimit::max(state.settings.server.body_limit_bytes)),
        )
        .with_state(state)
}

/// Serves until `shutdown` is cancelled, then lets in-flight requests finish
/// for up to `server.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let grace = state.settings.server.shutdown_grace;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let stopping = shutdown.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move { stopping.cancelled().await });
    tokio::select! {
        result = server => result,
        () = grace_expired(shutdown, grace) => {
            tracing::warn!("shutdown grace period over; dropping unfinished requests");
            Ok(())
        }
    }
}

async fn grace_expired(shutdown: CancellationToken, grace: Duration) {
    shutdown.cancelled().await;
    tokio::time::sleep(grace).await;
}
