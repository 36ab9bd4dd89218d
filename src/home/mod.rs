//! The public start page: what icbt is and where to log in.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use tera::Context;

use crate::routing::{Access, Routes};
use crate::{
    auth::Principal,
    error::{AppError, AppResult},
    state::AppState,
    web::Lang,
};

pub fn routes() -> Routes {
    Routes::new().page(Access::Public, "/", get(home))
}

/// Someone logged in is taken to their own main page (the logo and the
/// error pages link here), everyone else sees what icbt is.
async fn home(
    State(state): State<AppState>,
    lang: Lang,
    principal: Result<Principal, AppError>,
) -> AppResult<Response> {
    if let Ok(principal) = principal {
        return Ok(Redirect::to(crate::auth::routes::landing_page(principal.role)).into_response());
    }
    Ok(state.views.render("home.html", lang, Context::new())?.into_response())
}
