//! The one place where every feature's routes are merged into the router,
//! and the server loop around it.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{extract::DefaultBodyLimit, middleware, Extension, Router};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
};
use utoipa::openapi::OpenApi;

use crate::{
    accounts, assignments, audit, auth, care_flags, caseload, content, diaries, digests, enrollment,
    error::AppError,
    home, lifecycle, mail, messages, ops, progress, questionnaires, reports,
    routing::{require_access, AccessTable, Gate, Routes},
    state::AppState,
    telemetry,
};

/// Every feature's routes: the whole URL map, with who may call each route.
pub fn routes() -> Routes {
    Routes::new()
        .merge(ops::routes())
        .merge(crate::web::asset_routes())
        .merge(home::routes())
        .merge(auth::routes())
        .merge(accounts::routes())
        .merge(lifecycle::routes())
        .merge(audit::routes())
        .merge(mail::routes())
        .merge(content::routes())
        .merge(enrollment::routes())
        .merge(progress::routes())
        .merge(assignments::routes())
        .merge(diaries::routes())
        .merge(questionnaires::routes())
        .merge(messages::routes())
        .merge(caseload::routes())
        .merge(care_flags::routes())
        .merge(digests::routes())
        .merge(reports::routes())
}

/// The router for `routes`, behind the layers every request passes.
pub fn router(state: AppState) -> Router {
    router_from_parts(state, routes().into_parts())
}

/// The router for declared routes taken apart (`Routes::into_parts`): the
/// role gate reads their rules, and `/api/v1/openapi.json` serves their
/// OpenAPI entries.
pub fn router_from_parts(
    state: AppState,
    (routes, openapi, table): (Router<AppState>, OpenApi, AccessTable),
) -> Router {
    // Install the recorder before the first request is counted.
    telemetry::metrics_handle();
    let gate = Gate { state: state.clone(), table: Arc::new(table) };
    let routes = routes.fallback(|| async { AppError::NotFound }).layer(Extension(ops::document(openapi)));
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
                .layer(middleware::from_fn_with_state(gate, require_access))
                .layer(middleware::from_fn(crate::web::refuse_unstorable_urls))
                .layer(middleware::from_fn_with_state(state.clone(), crate::web::forms::carry_notice))
                .layer(middleware::from_fn(telemetry::record_request_metrics))
                .layer(CompressionLayer::new())
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::auth::kept_forms::restore_kept_form,
                ))
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
