//! The patient's pages: home (the one next step), the program, and each item
//! (reading page, assignment form or diary).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::service::{self, Progress};
use crate::routing::{Access, Routes};
use crate::{
    assignments,
    auth::Principal,
    content::{model::Form, ItemBody, ItemKind},
    diaries,
    enrollment::access,
    entities::enrollments,
    error::{AppResult, FieldErrors},
    state::AppState,
    web::{answers::answer_views_of, fields, page, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::PATIENT, "/home", get(super::home::home))
        .page(Access::PATIENT, "/program", get(program))
        .page(Access::PATIENT, "/items/{item_id}", get(item))
        .page(Access::PATIENT, "/items/{item_id}/done", post(page_done))
}

async fn program(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let program = service::program_of(&state.content, &enrollment)?;
    let progress = Progress::load(&state.db, &enrollment.id).await?;
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("program", &service::program_view(program, &progress));
    context.insert("auto_unlock", &enrollment.auto_unlock);
    Ok(state.views.render("patient/program.html", principal.lang(), context)?.into_response())
}

async fn item(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Path(item_id): Path<String>,
    Query(query): Query<ItemQuery>,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let edit = query.edit.is_some();
    render_item(&state, &csrf, &principal, &enrollment, &item_id, (None, edit)).await
}

#[derive(Deserialize)]
struct ItemQuery {
    /// `?edit`: a sent assignment's form, filled with what was sent.
    edit: Option<String>,
}

/// Input the patient sent that was refused, to show again with the errors.
pub struct Refused {
    pub values: Map<String, Value>,
    pub errors: FieldErrors,
    pub date: Option<String>,
    /// "Add a row": the rows field and how many rows it should now show.
    pub rows_wanted: Option<(String, usize)>,
}

impl Refused {
    /// The form shown again with one more row for the field named by the
    /// pressed "add a row" button, if one was pressed; nothing is saved.
    pub fn adding_a_row(
        pairs: &[(String, String)],
        values: &Map<String, Value>,
        date: Option<String>,
    ) -> Option<Self> {
        let field = pairs.iter().find(|(k, _)| k == "add_row").map(|(_, v)| v.clone())?;
        let count_key = format!("{field}.rows");
        let shown: usize =
            pairs.iter().find(|(k, _)| *k == count_key).and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
        Some(Refused {
            values: values.clone(),
            errors: FieldErrors::new(),
            date,
            rows_wanted: Some((field, shown + 1)),
        })
    }
}

/// Renders an item page; with `refused`, a 422 showing the patient's input
/// beside the messages.
pub async fn render_item(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    enrollment: &enrollments::Model,
    item_id: &str,
    (refused, edit): (Option<Refused>, bool),
) -> AppResult<Response> {
    let program = service::program_of(&state.content, enrollment)?;
    let progress = Progress::load(&state.db, &enrollment.id).await?;
    let (module, item) = service::open_item(program, &progress, item_id, None)?;
    if refused.is_none() {
        service::record_view(&state.db, enrollment, module, item, state.clock.now()).await?;
    }
    let mut context = page::context(Some(principal), csrf);
    context.insert("module", &module.title);
    context
        .insert("module_number", &(program.modules.iter().position(|m| m.id == module.id).unwrap_or(0) + 1));
    context.insert("item_id", &item.id);
    context.insert("title", &item.title);
    context.insert("minutes", &item.minutes);
    context.insert("done", &progress.is_done(item));
    let invalid = refused.as_ref().is_some_and(|r| !r.errors.is_empty());
    let status = if invalid { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let template = match (&item.body, item.kind) {
        (ItemBody::Page(body), _) => {
            context.insert("html", &body.html);
            context.insert("audio", &body.audio.as_ref().map(|a| format!("/media/{}/{a}", program.id)));
            context.insert("video", &body.video.as_ref().map(|v| format!("/media/{}/{v}", program.id)));
            context.insert("transcript", &body.audio_transcript);
            "patient/page.html"
        }
        (ItemBody::Form(form), ItemKind::Assignment) => {
            insert_assignment(state, &mut context, enrollment, (&item.id, form), refused, edit).await?;
            "patient/assignment.html"
        }
        (ItemBody::Form(form), _) => {
            insert_diary(state, &mut context, enrollment, &item.id, form, refused).await?;
            "patient/diary.html"
        }
    };
    Ok((status, state.views.render(template, principal.lang(), context)?).into_response())
}

/// An assignment: refused input with its errors; else, once sent and not
/// being changed, a read view of what was sent; else the form with the
/// draft, or with the answers sent when the patient changes them.
async fn insert_assignment(
    state: &AppState,
    context: &mut tera::Context,
    enrollment: &enrollments::Model,
    (item_id, form): (&str, &Form),
    refused: Option<Refused>,
    edit: bool,
) -> AppResult<()> {
    if let Some(r) = refused {
        insert_form(context, form, (r.values, r.errors), r.rows_wanted);
        return Ok(());
    }
    let draft = assignments::service::draft(&state.db, &enrollment.id, item_id).await?;
    let sent = assignments::service::last_sent(&state.db, &enrollment.id, item_id).await?;
    let values = match (draft, sent) {
        (Some(draft), _) => draft,
        (None, Some(sent)) if !edit => {
            context.insert("intro", &form.intro_html);
            context.insert("sent", &true);
            context.insert("sent_at", &sent.submitted_at.unwrap_or(sent.updated_at));
            context.insert("sent_answers", &answer_views_of(&form.fields, &sent.answers));
            return Ok(());
        }
        (None, Some(sent)) => serde_json::from_str(&sent.answers).unwrap_or_default(),
        (None, None) => Map::new(),
    };
    insert_form(context, form, (values, FieldErrors::new()), None);
    Ok(())
}

/// A form's intro and fields, with the values and errors to show.
fn insert_form(
    context: &mut tera::Context,
    form: &Form,
    (values, errors): (Map<String, Value>, FieldErrors),
    rows_wanted: Option<(String, usize)>,
) {
    context.insert("intro", &form.intro_html);
    let views = fields::views_with_rows(&form.fields, &values, &errors, rows_wanted.as_ref());
    context.insert("fields", &views);
    // The summary at the top is for refused input only.
    if !errors.is_empty() {
        context.insert("summary_fields", &views);
    }
    context.insert("error_count", &errors.len());
}

/// A diary: today's entry (or the refused input), the days it may be for,
/// and the recent history with its charts.
async fn insert_diary(
    state: &AppState,
    context: &mut tera::Context,
    enrollment: &enrollments::Model,
    diary_id: &str,
    form: &Form,
    refused: Option<Refused>,
) -> AppResult<()> {
    let today = diaries::service::today(state);
    let entries = diaries::service::entries(&state.db, &enrollment.id, Some(diary_id), Some(60)).await?;
    let (values, errors, date, rows_wanted) = match refused {
        Some(r) => (r.values, r.errors, r.date.unwrap_or_else(|| today.to_string()), r.rows_wanted),
        None => {
            let todays = entries.iter().find(|e| e.entry_date == today);
            let values = todays.and_then(|e| serde_json::from_str(&e.entry_values).ok()).unwrap_or_default();
            (values, FieldErrors::new(), today.to_string(), None)
        }
    };
    insert_form(context, form, (values, errors), rows_wanted);
    context.insert("date", &date);
    context.insert("today", &today.to_string());
    context.insert("yesterday", &(today - Duration::days(1)).to_string());
    context.insert("history", &diaries::charts::history(form, &entries, today));
    context.insert("charts", &diaries::charts::charts(form, &entries, today));
    Ok(())
}

async fn page_done(
    State(state): State<AppState>,
    principal: Principal,
    Path(item_id): Path<String>,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    service::mark_page_read(&state, &enrollment, &item_id).await?;
    let program = service::program_of(&state.content, &enrollment)?;
    let (module, item) = program
        .modules
        .iter()
        .find_map(|m| m.items.iter().find(|i| i.id == item_id).map(|i| (m, i)))
        .ok_or(crate::error::AppError::NotFound)?;
    // On to the next thing in the module, or home when the module is done.
    let progress = Progress::load(&state.db, &enrollment.id).await?;
    let next =
        module.items.iter().skip_while(|i| i.id != item.id).skip(1).find(|i| progress.can_open(module, i));
    let to = next.map_or("/home".to_string(), |i| format!("/items/{}", i.id));
    Ok(crate::web::confirmed(&to, crate::web::Notice::PageRead))
}
