//! `/cover`: a therapist arranges for a colleague to cover their patients.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::accounts::Role;
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    enrollment::cover,
    entities::{covers, users},
    error::{AppResult, FieldErrors},
    state::AppState,
    web::{page, AppForm, ClientInfo, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new().page(Access::THERAPIST, "/cover", get(cover_page).post(arrange))
}

async fn cover_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    render(&state, &csrf, &principal, None).await
}

async fn render(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    errors: Option<FieldErrors>,
) -> AppResult<Response> {
    let colleagues: Vec<(String, String)> = match &principal.user.team_id {
        Some(team) => users::Entity::find()
            .filter(users::Column::TeamId.eq(team))
            .filter(users::Column::Role.eq(Role::Therapist))
            .filter(users::Column::Active.eq(true))
            .filter(users::Column::Id.ne(principal.id()))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|u| (u.email, u.name))
            .collect(),
        None => Vec::new(),
    };
    let mine: Vec<(String, String)> = covers::Entity::find()
        .filter(covers::Column::AbsentId.eq(principal.id()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.starts_on.to_string(), c.ends_on.to_string()))
        .collect();
    let mut context = page::context(Some(principal), csrf);
    context.insert("colleagues", &colleagues);
    context.insert("covers", &mine);
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("therapist/cover.html", principal.lang(), context)?).into_response())
}

#[derive(Deserialize)]
struct CoverForm {
    cover: String,
    starts_on: String,
    ends_on: String,
}

async fn arrange(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    AppForm(form): AppForm<CoverForm>,
) -> AppResult<Response> {
    let arranged =
        cover::arrange(&state, &principal, &form.cover, &form.starts_on, &form.ends_on, &client).await;
    let done = |_| async { Ok(confirmed("/cover", Notice::CoverArranged)) };
    finish(arranged, done, |errors| render(&state, &csrf, &principal, Some(errors))).await
}
