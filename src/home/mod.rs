//! The public start page: what icbt is and where to log in.

use axum::{extract::State, response::Html, routing::get};
use tera::Context;

use crate::routing::{Access, Routes};
use crate::{error::AppResult, state::AppState, web::Lang};

pub fn routes() -> Routes {
    Routes::new().page(Access::Public, "/", get(home))
}

async fn home(State(state): State<AppState>, lang: Lang) -> AppResult<Html<String>> {
    state.views.render("home.html", lang, Context::new())
}
