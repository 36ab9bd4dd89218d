//! The patient record page: everything the patient did since the last
//! feedback on one timeline, diary charts, module tailoring, and the feedback
//! composer beside it. Opening it is audited.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

use crate::content::Program;
use crate::enrollment::schedule::feedback_due_on;
use crate::entities::enums::EnrollmentStatus;
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    content::{ItemBody, ItemKind},
    diaries,
    enrollment::access,
    entities::enrollments,
    error::{AppError, AppResult, FieldErrors},
    messages,
    progress::service::{self as progress, ModuleState, Progress},
    questionnaires,
    state::AppState,
    web::{page, AppForm, ClientInfo, CsrfToken},
};

pub fn routes() -> Routes {
    Routes::new()
        .page(Access::THERAPIST, "/patients/{id}", get(record_page))
        .page(Access::THERAPIST, "/patients/{id}/feedback", post(feedback))
        .page(Access::THERAPIST, "/patients/{id}/modules/{module_id}", post(module_state))
        .page(Access::THERAPIST, "/patients/{id}/contacts", post(contact))
        .page(Access::THERAPIST, "/patients/{id}/items/{item_id}/visibility", post(visibility))
        .page(Access::THERAPIST, "/patients/{id}/auto-unlock", post(auto_unlock))
}

/// A module with its assignments, for tailoring.
#[derive(Serialize)]
struct ModuleRow {
    id: String,
    title: String,
    state: &'static str,
    /// (item id, title, hidden)
    items: Vec<(String, String, bool)>,
}

/// Older history comes in pages of this many events.
const EARLIER_PAGE: usize = 25;

#[derive(Deserialize, Default)]
struct RecordQuery {
    /// Page of the earlier history, from 1.
    page: Option<usize>,
}

async fn record_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<RecordQuery>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    // What the therapist has now seen needs no digest.
    crate::digests::mark_seen(&state.db, &enrollment.id, state.clock.now()).await?;
    let shown = Shown { page: query.page.unwrap_or(1).max(1), ..Shown::default() };
    render(&state, &csrf, &principal, &enrollment, shown).await
}

/// "I have contacted the patient" sent incomplete: shown again in the banner.
#[derive(Serialize)]
pub(super) struct RefusedRisk {
    pub response_id: String,
    pub note: String,
    pub errors: FieldErrors,
}

pub(super) async fn render_refused_risk(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    enrollment: &enrollments::Model,
    refused: RefusedRisk,
) -> AppResult<Response> {
    let shown = Shown { refused_risk: Some(refused), ..Shown::default() };
    let mut page = render(state, csrf, principal, enrollment, shown).await?;
    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(page)
}

/// A flag decision sent incomplete, shown again on the record.
pub(crate) async fn render_refused_flag(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    enrollment: &enrollments::Model,
    refused: crate::care_flags::routes::RefusedFlag,
) -> AppResult<Response> {
    let shown = Shown { refused_flag: Some(refused), ..Shown::default() };
    let mut page = render(state, csrf, principal, enrollment, shown).await?;
    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(page)
}

/// What the record shows besides the patient's file: which page of the
/// history, a feedback draft to preview (or its errors), a risk handling, a
/// flag decision or a contact sent incomplete.
pub(super) struct Shown {
    pub page: usize,
    pub composer: Option<(String, Option<FieldErrors>)>,
    pub refused_risk: Option<RefusedRisk>,
    pub refused_flag: Option<crate::care_flags::routes::RefusedFlag>,
    pub refused_contact: Option<(ContactForm, FieldErrors)>,
}

impl Default for Shown {
    fn default() -> Self {
        Shown { page: 1, composer: None, refused_risk: None, refused_flag: None, refused_contact: None }
    }
}

async fn render(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    enrollment: &enrollments::Model,
    shown: Shown,
) -> AppResult<Response> {
    let Shown { page, composer, refused_risk, refused_flag, refused_contact } = shown;
    let program = progress::program_of(&state.content, enrollment)?;
    let current = Progress::load(&state.db, &enrollment.id).await?;
    let since = enrollment.last_feedback_at;
    let mut events = super::timeline::timeline(state, program, enrollment, &current).await?;
    // The feedback itself opens the new period but is not news to its writer.
    events.iter_mut().for_each(|e| e.new = e.kind != "sent" && since.is_none_or(|s| e.at > s));
    let (events, earlier): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| e.new);
    let has_older = earlier.len() > page * EARLIER_PAGE;
    let earlier: Vec<_> = earlier.into_iter().skip((page - 1) * EARLIER_PAGE).take(EARLIER_PAGE).collect();
    let modules = module_rows(program, &current);
    let today = diaries::service::today(state);
    let charts = diary_charts(state, program, enrollment, today).await?;
    let score_charts = score_charts(state, enrollment).await?;
    let due = feedback_due_on(enrollment, state.settings.care.timezone);
    let mut context = page::context(Some(principal), csrf);
    context.insert("id", &enrollment.id);
    context.insert("risks", &super::risk::open_risks(state, &enrollment.id).await?);
    context.insert("refused_risk", &refused_risk);
    context.insert("flags", &crate::care_flags::open_flags(state, enrollment).await?);
    let (tz, now) = (state.settings.care.timezone, state.clock.now());
    let quiet =
        crate::care_flags::going_quiet::quiet_patients(&state.db, std::slice::from_ref(enrollment), tz, now);
    context.insert("quiet", &quiet.await?.remove(&enrollment.id));
    context.insert("quiet_notices", &enrollment.quiet_notices);
    context.insert("refused_flag", &refused_flag);
    context.insert("case_code", &enrollment.case_code);
    context.insert("program", &program.title);
    context.insert("status", &enrollment.status);
    context.insert("cadence", &enrollment.feedback_cadence);
    context.insert("auto_unlock", &enrollment.auto_unlock);
    let snippets: Vec<(String, String)> =
        super::snippets::usable(&state.db, principal).await?.into_iter().map(|s| (s.id, s.title)).collect();
    context.insert("snippets", &snippets);
    context.insert("today", &today.to_string());
    context.insert(
        "weekday",
        crate::enrollment::schedule::WEEKDAYS
            .get(enrollment.feedback_weekday as usize)
            .copied()
            .unwrap_or("mon"),
    );
    context.insert("due", &due.to_string());
    context.insert("overdue", &(today > due && enrollment.status == EnrollmentStatus::Active));
    context.insert("events", &events);
    context.insert("earlier", &earlier);
    context.insert("page", &page);
    context.insert("has_older", &has_older);
    context.insert("modules", &modules);
    context.insert("charts", &charts);
    context.insert("score_charts", &score_charts);
    context.insert("wide", &true);
    let (draft, mut errors) = composer.unwrap_or_default();
    context.insert("preview", &(!draft.is_empty() && errors.is_none()));
    context.insert("draft", &draft);
    if let Some((typed, refused)) = refused_contact {
        context.insert("contact", &typed);
        errors = Some(refused);
    }
    let status = if errors.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    context.insert("errors", &errors);
    Ok((status, state.views.render("therapist/record.html", principal.lang(), context)?).into_response())
}

/// The program's modules with their state and assignments, for tailoring.
fn module_rows(program: &Program, current: &Progress) -> Vec<ModuleRow> {
    program
        .modules
        .iter()
        .map(|m| ModuleRow {
            id: m.id.clone(),
            title: m.title.clone(),
            state: current.module_state(&m.id).as_str(),
            items: m
                .items
                .iter()
                .filter(|i| i.kind == ItemKind::Assignment)
                .map(|i| (i.id.clone(), i.title.clone(), current.is_hidden(&i.id)))
                .collect(),
        })
        .collect()
}

/// A chart per diary of the program, from the patient's recent entries.
async fn diary_charts(
    state: &AppState,
    program: &Program,
    enrollment: &enrollments::Model,
    today: chrono::NaiveDate,
) -> AppResult<Vec<diaries::charts::Chart>> {
    let entries = diaries::service::entries(&state.db, &enrollment.id, None, Some(400)).await?;
    Ok(program
        .modules
        .iter()
        .flat_map(|m| &m.items)
        .filter(|i| i.kind == ItemKind::Diary)
        .filter_map(|i| match &i.body {
            ItemBody::Form(form) => {
                let own: Vec<_> = entries.iter().filter(|e| e.diary_id == i.id).cloned().collect();
                Some(diaries::charts::charts(form, &own, today))
            }
            ItemBody::Page(_) => None,
        })
        .flatten()
        .collect())
}

/// A score chart per questionnaire the patient has answered.
async fn score_charts(
    state: &AppState,
    enrollment: &enrollments::Model,
) -> AppResult<Vec<questionnaires::charts::ScoreChart>> {
    let responses = questionnaires::service::responses(&state.db, &enrollment.id).await?;
    let mut instruments: Vec<&str> = responses.iter().map(|r| r.questionnaire_id.as_str()).collect();
    instruments.sort_unstable();
    instruments.dedup();
    Ok(instruments
        .iter()
        .filter_map(|id| {
            let questionnaire = state.content.questionnaire(id)?;
            let own: Vec<_> = responses.iter().filter(|r| r.questionnaire_id == *id).collect();
            Some(questionnaires::charts::score_chart(questionnaire, &own))
        })
        .collect())
}

#[derive(Deserialize)]
struct FeedbackForm {
    body: String,
    intent: Option<String>,
    /// A snippet to add to the text, filled in for this patient.
    snippet: Option<String>,
}

/// Preview shows the message as the patient will read it; send delivers it
/// as feedback, reply as an ordinary message.
async fn feedback(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
    AppForm(form): AppForm<FeedbackForm>,
) -> AppResult<Response> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.feedback_opened", &client).await?;
    if let Some(snippet_id) = form.snippet.as_deref() {
        let body = with_snippet(&state, &principal, &enrollment, &form.body, snippet_id).await?;
        let shown = Shown { composer: Some((body, None)), ..Shown::default() };
        return render(&state, &csrf, &principal, &enrollment, shown).await;
    }
    if form.intent.as_deref() == Some("preview") {
        let errors = form.body.trim().is_empty().then(|| {
            FieldErrors::from([("body".to_string(), vec!["Write your feedback first.".to_string()])])
        });
        let shown = Shown { composer: Some((form.body, errors)), ..Shown::default() };
        return render(&state, &csrf, &principal, &enrollment, shown).await;
    }
    // Feedback is the explicit act the schedule asks for; a reply answers
    // between feedback days and leaves the schedule and fidelity alone.
    let reply = form.intent.as_deref() == Some("reply");
    let sent = match reply {
        true => messages::service::send_reply(&state, &enrollment, &principal, &form.body, &client).await,
        false => messages::service::send_feedback(&state, &enrollment, &principal, &form.body, &client).await,
    };
    let notice = if reply { Notice::ReplySent } else { Notice::FeedbackSent };
    let done = |_| async { Ok(confirmed(&format!("/patients/{id}"), notice)) };
    let again = |errors| {
        let shown = Shown { composer: Some((form.body.clone(), Some(errors))), ..Shown::default() };
        render(&state, &csrf, &principal, &enrollment, shown)
    };
    finish(sent, done, again).await
}

#[derive(Deserialize)]
struct ModuleForm {
    state: ModuleState,
}

async fn module_state(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path((id, module_id)): Path<(String, String)>,
    AppForm(form): AppForm<ModuleForm>,
) -> AppResult<Response> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.module_changed", &client).await?;
    crate::progress::change_module(&state, &enrollment, &module_id, form.state).await?;
    Ok(confirmed(&format!("/patients/{id}"), Notice::ModuleChanged))
}

#[derive(Deserialize, Serialize)]
pub(super) struct ContactForm {
    kind: String,
    held_on: String,
    minutes: String,
    #[serde(default)]
    note: String,
}

async fn contact(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
    AppForm(form): AppForm<ContactForm>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    let new = super::contacts::NewContact {
        kind: &form.kind,
        held_on: &form.held_on,
        minutes: &form.minutes,
        note: &form.note,
    };
    let logged = super::contacts::log_contact(&state, &principal, &enrollment, new, &client).await;
    let done = |_| async { Ok(confirmed(&format!("/patients/{id}"), Notice::ContactLogged)) };
    let again = |errors| {
        let shown = Shown { refused_contact: Some((form, errors)), ..Shown::default() };
        render(&state, &csrf, &principal, &enrollment, shown)
    };
    finish(logged, done, again).await
}

#[derive(Deserialize)]
struct AutoUnlockForm {
    auto_unlock: Option<String>,
}

async fn auto_unlock(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path(id): Path<String>,
    AppForm(form): AppForm<AutoUnlockForm>,
) -> AppResult<Response> {
    let enrollment = access::record_for_staff(&state, &principal, &id, "patient.viewed", &client).await?;
    crate::enrollment::service::set_auto_unlock(
        &state,
        &principal,
        &enrollment,
        form.auto_unlock.as_deref() == Some("on"),
        &client,
    )
    .await?;
    Ok(confirmed(&format!("/patients/{id}"), Notice::AutoUnlockChanged))
}

#[derive(Deserialize)]
struct VisibilityForm {
    hidden: String,
}

async fn visibility(
    State(state): State<AppState>,
    client: ClientInfo,
    principal: Principal,
    Path((id, item_id)): Path<(String, String)>,
    AppForm(form): AppForm<VisibilityForm>,
) -> AppResult<Response> {
    let enrollment =
        access::record_for_staff(&state, &principal, &id, "patient.item_visibility_changed", &client).await?;
    crate::progress::set_hidden(&state, &enrollment, &item_id, form.hidden == "true").await?;
    Ok(confirmed(&format!("/patients/{id}"), Notice::VisibilityChanged))
}

/// The draft with a snippet added, its placeholders filled in: the patient's
/// first name (left as `{first_name}` when unknown, for the therapist to
/// write) and their current module.
async fn with_snippet(
    state: &AppState,
    therapist: &Principal,
    enrollment: &enrollments::Model,
    draft: &str,
    snippet_id: &str,
) -> AppResult<String> {
    let snippets = super::snippets::usable(&state.db, therapist).await?;
    let snippet = snippets.iter().find(|s| s.id == snippet_id).ok_or(AppError::NotFound)?;
    let patient: Option<crate::entities::users::Model> =
        <crate::entities::users::Entity as sea_orm::EntityTrait>::find_by_id(enrollment.patient_id.clone())
            .one(&state.db)
            .await?;
    let name =
        patient.map(|p| p.name).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "{first_name}".into());
    let program = progress::program_of(&state.content, enrollment)?;
    let current = Progress::load(&state.db, &enrollment.id).await?;
    let module = program
        .modules
        .iter()
        .find(|m| current.module_state(&m.id) == ModuleState::Open)
        .map(|m| m.title.clone())
        .unwrap_or_default();
    let text = super::snippets::fill(&snippet.body, &name, &module);
    Ok(if draft.trim().is_empty() { text } else { format!("{}\n\n{text}", draft.trim_end()) })
}
