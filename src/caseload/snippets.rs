//! Feedback snippets: a therapist's own short texts and those shared in the
//! clinic, with placeholders filled in for the patient at hand. Writing
//! feedback by message was new to therapists; good openings help.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Deserialize;

use crate::routing::{Access, Routes};
use crate::web::{confirmed, Notice};
use crate::{
    auth::Principal,
    entities::snippets,
    error::{AppError, AppResult, FieldErrors},
    ids,
    state::AppState,
    web::{page, AppForm, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new().page(Access::THERAPIST, "/snippets", get(list_page).post(create)).page(
        Access::THERAPIST,
        "/snippets/{id}/delete",
        post(delete),
    )
}

/// The snippets `therapist` may use: their own and their clinic's shared ones.
pub async fn usable(db: &impl ConnectionTrait, therapist: &Principal) -> AppResult<Vec<snippets::Model>> {
    let Some(clinic) = therapist.clinic_id() else { return Ok(Vec::new()) };
    Ok(snippets::Entity::find()
        .filter(snippets::Column::ClinicId.eq(clinic))
        .filter(
            Condition::any()
                .add(snippets::Column::OwnerId.eq(therapist.id()))
                .add(snippets::Column::Shared.eq(true)),
        )
        .order_by_asc(snippets::Column::Title)
        .all(db)
        .await?)
}

/// The snippet's text with `{first_name}` and `{module}` filled in.
pub fn fill(body: &str, first_name: &str, module: &str) -> String {
    body.replace("{first_name}", first_name).replace("{module}", module)
}

async fn list_page(
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
    let list = usable(&state.db, principal).await?;
    let mut context = page::context(Some(principal), csrf);
    let rows: Vec<(String, String, String, bool, bool)> = list
        .into_iter()
        .map(|s| {
            let mine = s.owner_id == principal.id();
            (s.id, s.title, s.body, s.shared, mine)
        })
        .collect();
    context.insert("snippets", &rows);
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("therapist/snippets.html", principal.lang(), context)?).into_response())
}

#[derive(Deserialize)]
struct SnippetForm {
    title: String,
    body: String,
    shared: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    AppForm(form): AppForm<SnippetForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::new();
    let (title, body) = (form.title.trim(), form.body.trim());
    if title.is_empty() || title.chars().count() > 120 {
        errors.insert("title".into(), vec!["Give the snippet a short title (up to 120 characters).".into()]);
    }
    if body.is_empty() || body.chars().count() > 2000 {
        errors.insert("body".into(), vec!["Write the text (up to 2000 characters).".into()]);
    }
    if !errors.is_empty() {
        return render(&state, &csrf, &principal, Some(errors)).await;
    }
    let clinic = principal.clinic_id().ok_or(AppError::Forbidden)?;
    let row = snippets::ActiveModel {
        id: Set(ids::new_id()),
        clinic_id: Set(clinic.to_string()),
        owner_id: Set(principal.id().to_string()),
        shared: Set(form.shared.as_deref() == Some("on")),
        title: Set(title.to_string()),
        body: Set(body.to_string()),
        created_at: Set(state.clock.now()),
    };
    snippets::Entity::insert(row).exec_without_returning(&state.db).await?;
    Ok(confirmed("/snippets", Notice::SnippetSaved))
}

async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let removed = snippets::Entity::delete_many()
        .filter(snippets::Column::Id.eq(id))
        .filter(snippets::Column::OwnerId.eq(principal.id()))
        .exec(&state.db)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(confirmed("/snippets", Notice::SnippetDeleted))
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            super::fill("Well done, {first_name}! On to {module}.", "Anna", "Pacing"),
            "Well done, Anna! On to Pacing."
        );
    }
}
