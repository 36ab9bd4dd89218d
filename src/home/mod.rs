//! The public start page: what icbt is and where to log in.

use axum::{extract::State, response::Html, routing::get, Router};
use tera::Context;

use crate::{app::AppState, error::AppResult, web::Lang};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(State(state): State<AppState>, lang: Lang) -> AppResult<Html<String>> {
    state.views.render("home.html", lang, Context::new())
}
