//! `GET /api/v1/reports/uptake[.csv]` and the manager's page `/reports`.

use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Json,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{
    figures::{period, ReportQuery, Scope},
    model::Uptake,
    service,
    treatments::TreatmentTotal,
};
use crate::routing::{Access, Routes};
use crate::web::{confirmed, finish, Notice};
use crate::{
    auth::Principal,
    entities::teams,
    error::{AppError, AppResult},
    state::AppState,
    web::{page, CsrfToken},
};
use utoipa_axum::routes;

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::MANAGER, routes!(uptake_json))
        .api(Access::MANAGER, routes!(uptake_csv))
        .api(Access::THERAPIST, routes!(my_figures_json))
        .api(Access::ADMIN, routes!(clinics_json))
        .api(Access::MANAGER, routes!(put_treatments))
        .page(Access::MANAGER, "/reports", get(uptake_page))
        .page(Access::MANAGER, "/reports/uptake.csv", get(uptake_csv))
        .page(Access::THERAPIST, "/my-figures", get(my_figures_page))
        .page(Access::ADMIN, "/admin/usage", get(clinics_page))
        .page(Access::MANAGER, "/reports/treatments", axum::routing::post(post_treatments))
}

/// The report for the manager's own clinic; a team of another clinic is 404.
async fn report(state: &AppState, principal: &Principal, query: &ReportQuery) -> AppResult<Uptake> {
    let clinic_id = principal.clinic_id().ok_or(AppError::Forbidden)?;
    let team_id = query.team_id.as_deref().filter(|t| !t.is_empty());
    if let Some(team) = team_id {
        let found = teams::Entity::find_by_id(team.to_string()).one(&state.db).await?;
        if found.is_none_or(|t| t.clinic_id != clinic_id) {
            return Err(AppError::NotFound);
        }
    }
    let today = crate::diaries::service::today(state);
    let period = period(query, today)?;
    let scope =
        Scope { clinic_id: clinic_id.to_string(), team_id: team_id.map(str::to_string), therapist_id: None };
    service::uptake(&state.reports_db, &state.content, state.settings.care.timezone, &scope, period).await
}

/// The clinic's uptake for a period (and team), organised by RE-AIM. Counts
/// resting on one to four patients are null.
#[utoipa::path(get, path = "/api/v1/reports/uptake", tag = "manager", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, body = Uptake), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub async fn uptake_json(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ReportQuery>,
) -> AppResult<Json<Uptake>> {
    Ok(Json(report(&state, &principal, &query).await?))
}

/// The same report as CSV: one row per figure.
#[utoipa::path(get, path = "/api/v1/reports/uptake.csv", tag = "manager", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = crate::error::Problem)))]
pub async fn uptake_csv(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let uptake = report(&state, &principal, &query).await?;
    let name = format!("attachment; filename=\"icbt-uptake-{}-{}.csv\"", uptake.from, uptake.to);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
        super::csv::csv(&uptake),
    )
        .into_response())
}

async fn uptake_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    render_uptake(&state, &csrf, &principal, &query, None).await
}

/// Every figure the report page shows, by its label's key (`report-…`);
/// each has a one-sentence definition (`report-…-def`) on the page.
pub const DEFINED_FIGURES: &[&str] = &[
    "referred",
    "enrolled",
    "activated",
    "therapists",
    "trained",
    "therapists-active",
    "feedback-due",
    "feedback-given",
    "feedback-on-time",
    "latency",
    "contacts",
    "time-patients",
    "minutes-median",
    "minutes-spread",
    "patients-tailored",
    "modules-opened",
    "modules-skipped",
    "modules-locked",
    "items-hidden",
    "active-patients",
    "weekly-active",
    "diary-entries",
    "diary-per-week",
    "submissions",
    "dropped-out",
    "started",
    "completed",
    "weeks-in",
    "completed-treatment",
    "stepped-up",
    "flagged",
    "flag-stepped-up",
    "flag-not-stepped-up",
    "flag-open",
    "not-on-track-flagged",
    "supported-in-week",
    "end-mean-flagged",
    "end-mean-others",
    "pairs",
    "baseline-mean",
    "end-mean",
    "improved",
    "deteriorated",
    "share-icbt",
    "share-total",
    "share-percent",
];

/// One program's module funnel, for a chart and table of its own: programs
/// share module titles such as "Looking ahead".
#[derive(serde::Serialize)]
struct ProgramFunnel<'a> {
    program_id: &'a str,
    steps: Vec<&'a super::model::FunnelStep>,
    height: usize,
}

fn funnels_by_program(steps: &[super::model::FunnelStep]) -> Vec<ProgramFunnel<'_>> {
    let mut funnels: Vec<ProgramFunnel> = Vec::new();
    for step in steps {
        match funnels.last_mut() {
            Some(funnel) if funnel.program_id == step.program_id => funnel.steps.push(step),
            _ => funnels.push(ProgramFunnel { program_id: &step.program_id, steps: vec![step], height: 0 }),
        }
    }
    for funnel in &mut funnels {
        funnel.height = funnel.steps.len() * 22 + 10;
    }
    funnels
}

/// The report page, with the treatment-total form's problems when it had any.
async fn render_uptake(
    state: &AppState,
    csrf: &CsrfToken,
    principal: &Principal,
    query: &ReportQuery,
    errors: Option<crate::error::FieldErrors>,
) -> AppResult<Response> {
    let uptake = report(state, principal, query).await?;
    let teams = teams::Entity::find()
        .filter(teams::Column::ClinicId.eq(principal.clinic_id().unwrap_or_default()))
        .order_by_asc(teams::Column::Name)
        .all(&state.db)
        .await?;
    let teams: Vec<(String, String)> = teams.into_iter().map(|t| (t.id, t.name)).collect();
    let widest = uptake.engagement.module_funnel.iter().filter_map(|s| s.started).max().unwrap_or(0).max(1);
    let busiest = uptake.months.iter().filter_map(|m| m.diary_entries).max().unwrap_or(0).max(1);
    let mut context = page::context(Some(principal), csrf);
    context.insert("r", &uptake);
    context.insert("teams", &teams);
    context.insert("widest", &widest);
    context.insert("busiest", &busiest);
    let dropout_peak =
        uptake.engagement.drop_out_by_week.iter().filter_map(|w| w.patients).max().unwrap_or(0).max(1);
    context.insert("dropout_peak", &dropout_peak);
    context.insert("funnels", &funnels_by_program(&uptake.engagement.module_funnel));
    context.insert("definitions", DEFINED_FIGURES);
    context.insert("month_step", &(600.0 / uptake.months.len().max(1) as f64));
    let team = uptake.team_id.clone().unwrap_or_default();
    context
        .insert("csv", &format!("/reports/uptake.csv?from={}&to={}&team_id={team}", uptake.from, uptake.to));
    context.insert("this_month", &uptake.to.format("%Y-%m").to_string());
    let titles: std::collections::HashMap<&str, &str> =
        state.content.programs().map(|p| (p.id.as_str(), p.title.as_str())).collect();
    context.insert("program_titles", &titles);
    context.insert("wide", &true);
    let status = if errors.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    context.insert("errors", &errors);
    Ok((status, state.views.render("manager/uptake.html", principal.lang(), context)?).into_response())
}

/// A therapist's own figures, for self-monitoring: their patients only.
async fn my_figures(state: &AppState, principal: &Principal, query: &ReportQuery) -> AppResult<Uptake> {
    let scope = Scope {
        clinic_id: principal.clinic_id().ok_or(AppError::Forbidden)?.to_string(),
        team_id: None,
        therapist_id: Some(principal.id().to_string()),
    };
    let period = period(query, crate::diaries::service::today(state))?;
    service::uptake(&state.reports_db, &state.content, state.settings.care.timezone, &scope, period).await
}

/// The therapist's own feedback timeliness and caseload activity.
#[utoipa::path(get, path = "/api/v1/me/figures", tag = "therapist", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, body = Uptake), (status = 403, body = crate::error::Problem)))]
pub async fn my_figures_json(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ReportQuery>,
) -> AppResult<Json<Uptake>> {
    Ok(Json(my_figures(&state, &principal, &query).await?))
}

async fn my_figures_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let figures = my_figures(&state, &principal, &query).await?;
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("r", &figures);
    Ok(state.views.render("therapist/figures.html", principal.lang(), context)?.into_response())
}

/// One clinic's headline figures in the administrator's overview.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClinicFigures {
    pub clinic_id: String,
    pub name: String,
    pub uptake: Uptake,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClinicsOverview {
    pub clinics: Vec<ClinicFigures>,
}

/// Every clinic's uptake for the period, for an administrator: the same
/// aggregates and suppression as a manager's report, never a record.
async fn clinics_overview(
    state: &AppState,
    principal: &Principal,
    query: &ReportQuery,
) -> AppResult<ClinicsOverview> {
    let clinics = crate::accounts::admin::list_clinics(state, principal).await?;
    let period = period(query, crate::diaries::service::today(state))?;
    let mut out = Vec::new();
    for clinic in clinics {
        let scope = Scope { clinic_id: clinic.id.clone(), team_id: None, therapist_id: None };
        let uptake =
            service::uptake(&state.reports_db, &state.content, state.settings.care.timezone, &scope, period)
                .await?;
        out.push(ClinicFigures { clinic_id: clinic.id, name: clinic.name, uptake });
    }
    Ok(ClinicsOverview { clinics: out })
}

/// Uptake across all clinics (administrators).
#[utoipa::path(get, path = "/api/v1/reports/clinics", tag = "admin", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, body = ClinicsOverview), (status = 403, body = crate::error::Problem)))]
pub async fn clinics_json(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ReportQuery>,
) -> AppResult<Json<ClinicsOverview>> {
    Ok(Json(clinics_overview(&state, &principal, &query).await?))
}

async fn clinics_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    Query(query): Query<ReportQuery>,
) -> AppResult<Response> {
    let overview = clinics_overview(&state, &principal, &query).await?;
    let period = period(&query, crate::diaries::service::today(&state))?;
    let mut context = page::context(Some(&principal), &csrf);
    context.insert("overview", &overview);
    context.insert("from", &period.0);
    context.insert("to", &period.1);
    Ok(state.views.render("admin/usage.html", principal.lang(), context)?.into_response())
}

/// The manager enters (or corrects) the clinic's total treatments of a month.
#[utoipa::path(put, path = "/api/v1/reports/treatments", tag = "manager", security(("bearer" = [])),
    request_body = TreatmentTotal,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put_treatments(
    State(state): State<AppState>,
    principal: Principal,
    crate::web::AppJson(body): crate::web::AppJson<TreatmentTotal>,
) -> AppResult<axum::http::StatusCode> {
    save_total(&state, &principal, &body).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

async fn save_total(state: &AppState, principal: &Principal, total: &TreatmentTotal) -> AppResult<()> {
    let clinic_id = principal.clinic_id().ok_or(AppError::Forbidden)?;
    super::treatments::save(&state.db, clinic_id, principal.id(), total, state.clock.now()).await
}

#[derive(serde::Deserialize)]
struct TreatmentForm {
    month: String,
    total: String,
    #[serde(default)]
    referrals: String,
    #[serde(default)]
    trained_therapists: String,
}

/// An optional whole number from a form: empty is none, anything else
/// unreadable is -1 (refused by the checks, by field).
fn optional_number(text: &str) -> Option<i64> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.parse().unwrap_or(-1))
}

/// The form on the report page; errors come back on the report, by field.
async fn post_treatments(
    State(state): State<AppState>,
    csrf: CsrfToken,
    principal: Principal,
    crate::web::AppForm(form): crate::web::AppForm<TreatmentForm>,
) -> AppResult<Response> {
    let total = form.total.trim().parse::<i64>().unwrap_or(-1);
    let given = TreatmentTotal {
        month: form.month.clone(),
        total,
        referrals: optional_number(&form.referrals),
        trained_therapists: optional_number(&form.trained_therapists),
    };
    let saved = save_total(&state, &principal, &given).await;
    let done = |()| async { Ok(confirmed("/reports", Notice::TreatmentsSaved)) };
    let query = ReportQuery::default();
    let again = |errors| render_uptake(&state, &csrf, &principal, &query, Some(errors));
    finish(saved, done, again).await
}

#[cfg(test)]
mod tests {
    use super::DEFINED_FIGURES;

    /// Headings of rows and columns that name a breakdown, not a figure.
    const NOT_FIGURES: &[&str] = &[
        "program",
        "module",
        "measure",
        "count",
        "total",
        "month",
        "questionnaire",
        "therapist",
        "all-therapists",
    ];

    /// Every figure the page labels has its one-sentence definition, and
    /// every definition is one sentence.
    #[test]
    fn every_figure_on_the_report_page_is_defined() {
        let page = include_str!("../web/templates/manager/uptake.html");
        let labels: Vec<&str> = [
            "<dt>{{ t(key=\"report-",
            "<th scope=\"col\">{{ t(key=\"report-",
            "<th scope=\"row\">{{ t(key=\"report-",
        ]
        .iter()
        .flat_map(|opening| page.split(opening).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .filter(|key| !key.is_empty() && !NOT_FIGURES.contains(key))
        .collect();
        assert!(labels.len() > 30, "{labels:?}");
        for label in labels {
            assert!(DEFINED_FIGURES.contains(&label), "report-{label} has no definition");
        }
        for ftl in [include_str!("../web/locales/en/main.ftl"), include_str!("../web/locales/nl/main.ftl")] {
            for key in DEFINED_FIGURES {
                let line = ftl.lines().find(|l| l.starts_with(&format!("report-{key}-def = "))).unwrap();
                let text = line.split_once(" = ").unwrap().1;
                assert!(
                    text.ends_with('.') && !text[..text.len() - 1].contains(". "),
                    "one sentence: {line}"
                );
            }
        }
    }
}
