//! The patient's home: one next step as a clear button, the rest of what is
//! to do grouped under it in the order that makes sense (questionnaires
//! first, so the baseline comes before the first diary day; then the module;
//! then today's diaries). A first visit is greeted as one and names the
//! therapist, instead of "welcome back".

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use sea_orm::EntityTrait;
use serde::Serialize;

use super::service::{ModuleState, Progress};
use crate::{
    accounts::Role,
    auth::Principal,
    content::{ItemKind, Program},
    diaries,
    enrollment::access,
    entities::{enrollments, users},
    error::AppResult,
    messages, questionnaires,
    state::AppState,
    web::{local_time, page, CsrfToken},
};

/// One thing to do, as the home page lists it.
#[derive(Serialize)]
struct Step {
    href: String,
    /// What doing it is called ("Fill in PHQ-9", "Continue module 1, …").
    action: String,
    /// The item or questionnaire, as the patient knows it.
    title: String,
    minutes: Option<u32>,
    done: bool,
}

pub(super) async fn home(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
) -> AppResult<Response> {
    let enrollment = access::own_enrollment(&state, &principal).await?;
    let program = super::service::program_of(&state.content, &enrollment)?;
    let progress = Progress::load(&state.db, &enrollment.id).await?;
    let lang = principal.lang();
    let text = |key: &str, args: &[(&'static str, &str)]| state.views.text_with(lang, key, args);
    let today = diaries::service::today(&state);
    let recent = diaries::service::entries(&state.db, &enrollment.id, None, Some(20)).await?;
    let thread = messages::service::thread(&state.db, &enrollment.id).await?;
    let answered = questionnaires::service::responses(&state.db, &enrollment.id).await?;
    let due = questionnaires::service::due(&state, &enrollment, program).await?;

    let mut steps: Vec<Step> = due
        .iter()
        .map(|d| Step {
            href: format!("/questionnaires/{}", d.questionnaire.id),
            action: text("home-fill-in", &[("title", &d.questionnaire.title)]),
            title: d.questionnaire.title.clone(),
            minutes: None,
            done: false,
        })
        .collect();
    steps.extend(module_step(program, &progress, &text));
    let diaries = program.modules.iter().flat_map(|m| m.items.iter().map(move |i| (m, i)));
    steps.extend(diaries.filter(|(m, i)| i.kind == ItemKind::Diary && progress.can_open(m, i)).map(
        |(_, i)| Step {
            href: format!("/items/{}", i.id),
            action: text("home-diary-today", &[("title", &i.title)]),
            title: i.title.clone(),
            minutes: Some(i.minutes),
            done: recent.iter().any(|e| e.diary_id == i.id && e.entry_date == today),
        },
    ));
    let next = steps.iter().position(|s| !s.done).map(|at| steps.remove(at));

    let first_visit = recent.is_empty()
        && answered.is_empty()
        && progress.submitted.is_empty()
        && progress.items.values().all(|i| i.completed_at.is_none())
        && !thread.iter().any(|m| m.from_role == Role::Patient);
    let unread = thread.iter().filter(|m| m.from_role == Role::Therapist && m.read_at.is_none()).count();
    let finished = program
        .modules
        .iter()
        .filter(|m| matches!(progress.module_state(&m.id), ModuleState::Completed | ModuleState::Skipped))
        .count();

    let mut context = page::context(Some(&principal), &csrf);
    context.insert("first_visit", &first_visit);
    context.insert("therapist", &therapist_name(&state, &enrollment).await?);
    context.insert("away", &away(&state, &enrollment, today, lang).await?);
    context.insert("next", &next);
    context.insert("later", &steps);
    context.insert("unread", &unread);
    let view = super::service::program_view(program, &progress);
    let (done, steps) = view.modules.iter().fold((0, 0), |(d, t), m| (d + m.steps_done, t + m.steps));
    context.insert("finished", &finished);
    context.insert("total", &program.modules.len());
    context.insert("steps_done", &done);
    context.insert("steps", &steps);
    context.insert("program_title", &program.title);
    Ok(state.views.render("patient/home.html", lang, context)?.into_response())
}

/// The first item to do in the first open module.
fn module_step(
    program: &Program,
    progress: &Progress,
    text: &impl Fn(&str, &[(&'static str, &str)]) -> String,
) -> Option<Step> {
    program.modules.iter().enumerate().find_map(|(n, module)| {
        if progress.module_state(&module.id) != ModuleState::Open {
            return None;
        }
        let item = module
            .items
            .iter()
            .find(|i| i.kind != ItemKind::Diary && progress.can_open(module, i) && !progress.is_done(i))?;
        Some(Step {
            href: format!("/items/{}", item.id),
            action: text(
                "home-continue",
                &[("number", &(n + 1).to_string()), ("module", &module.title), ("item", &item.title)],
            ),
            title: item.title.clone(),
            minutes: Some(item.minutes),
            done: false,
        })
    })
}

async fn therapist_name(state: &AppState, enrollment: &enrollments::Model) -> AppResult<Option<String>> {
    let therapist = users::Entity::find_by_id(&enrollment.therapist_id).one(&state.db).await?;
    Ok(therapist.map(|t| t.name))
}

/// Who covers for the therapist, and until when, if they are away today.
async fn away(
    state: &AppState,
    enrollment: &enrollments::Model,
    today: chrono::NaiveDate,
    lang: crate::web::Lang,
) -> AppResult<Option<(String, String)>> {
    use crate::enrollment::cover;
    match cover::cover_of(&state.db, &enrollment.therapist_id, today).await? {
        Some(c) => Ok(Some((cover::cover_name(&state.db, &c).await?, local_time::date(c.ends_on, lang)))),
        None => Ok(None),
    }
}
