//! The OpenAPI 3 document at `/api/v1/openapi.json`. Each feature lists its
//! API handlers here.

use axum::Json;
use utoipa::{
    openapi::{
        path::Operation,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        Content, Ref, RefOr, Response,
    },
    Modify, OpenApi,
};

use crate::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(title = "icbt", description = "Guided internet-based CBT for chronic pain and chronic fatigue"),
    paths(
        super::healthz,
        super::readyz,
        crate::auth::routes::api::create_token,
        crate::auth::routes::api::revoke_token,
        crate::auth::routes::api::accept_invitation,
        crate::auth::routes::api::me,
        crate::accounts::routes::api::create_clinic,
        crate::accounts::routes::api::create_team,
        crate::accounts::routes::api::invite_staff,
        crate::accounts::routes::api::update_staff,
        crate::accounts::routes::api::reset_totp,
        crate::lifecycle::routes::set_retention,
        crate::lifecycle::routes::erase_patient,
        crate::audit::routes::search,
        crate::mail::routes::list,
        crate::mail::routes::retry,
        crate::enrollment::routes::enroll,
        crate::enrollment::routes::patient,
        crate::enrollment::routes::export,
        crate::progress::routes::my_program,
        crate::progress::routes::my_item,
        crate::progress::routes::complete_item,
        crate::progress::routes::set_module_state,
        crate::assignments::routes::submit,
        crate::assignments::routes::patient_submissions,
        crate::diaries::routes::add_entry,
        crate::diaries::routes::my_entries,
        crate::diaries::routes::patient_entries,
        crate::questionnaires::routes::due_questionnaires,
        crate::questionnaires::routes::respond,
        crate::messages::routes::my_messages,
        crate::messages::routes::send,
        crate::messages::routes::patient_messages,
        crate::messages::routes::feedback,
        crate::caseload::routes::caseload,
        crate::digests::routes::get_settings,
        crate::digests::routes::put_settings,
        crate::digests::routes::get_centre,
        crate::digests::routes::get_reminder,
        crate::digests::routes::put_reminder,
        crate::reports::routes::uptake_json,
        crate::reports::routes::uptake_csv,
        crate::reports::routes::my_figures_json,
        crate::reports::routes::clinics_json,
        crate::reports::routes::put_treatments,
    ),
    components(schemas(Problem, super::Health)),
    modifiers(&BearerAuth, &ErrorResponses),
    tags(
        (name = "operations", description = "Health and readiness"),
        (name = "auth", description = "Tokens, invitations and the current user"),
        (name = "admin", description = "Clinics, teams, staff, audit log and outbox (administrators)"),
        (name = "therapist", description = "Enrolling patients and their records"),
        (name = "patient", description = "The patient's own program, diaries, questionnaires and inbox")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The content type of every error answer.
const PROBLEM: &str = "application/problem+json";

/// Every error is a `Problem` in `application/problem+json`, and every
/// operation lists the errors any handler of its shape can give, so that the
/// annotations need only name the ones particular to it:
/// 401 and 403 where a token is required, 404 where the path names a record,
/// 400, 413 and 422 where a JSON body is read, 422 where a query is read.
/// A 429 carries `Retry-After`.
struct ErrorResponses;

impl ErrorResponses {
    const COMMON: [(&'static str, &'static str); 6] = [
        ("400", "The body is not JSON, or not sent as `application/json`"),
        ("401", "Not authenticated: no token, or one that has ended"),
        ("403", "This role may not do this"),
        ("404", "No such record, or not yours"),
        ("413", "The body is too large"),
        ("422", "Invalid input; `errors` names each field"),
    ];

    /// The statuses every operation of this shape can answer with.
    fn common(path: &str, operation: &Operation) -> Vec<&'static str> {
        let secured = operation.security.as_ref().is_some_and(|s| s.iter().any(|r| *r != Default::default()));
        let body = operation.request_body.is_some();
        let query = operation
            .parameters
            .iter()
            .flatten()
            .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
        let mut statuses = Vec::new();
        if secured {
            statuses.extend(["401", "403"]);
        }
        if path.contains('{') {
            statuses.push("404");
        }
        if body {
            statuses.extend(["400", "413"]);
        }
        if body || query {
            statuses.push("422");
        }
        statuses
    }

    fn problem() -> Content {
        Content::new(Some(Ref::from_schema_name("Problem")))
    }
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, description) in Self::COMMON {
            let mut response = Response::new(description);
            response.content.insert(PROBLEM.to_string(), Self::problem());
            components.responses.insert(format!("Problem{status}"), RefOr::T(response));
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                for status in Self::common(path, operation) {
                    let common = RefOr::Ref(Ref::new(format!("#/components/responses/Problem{status}")));
                    operation.responses.responses.entry(status.to_string()).or_insert(common);
                }
                for (status, response) in operation.responses.responses.iter_mut() {
                    let RefOr::T(response) = response else { continue };
                    if status.as_str() < "400" {
                        continue;
                    }
                    response.content.clear();
                    response.content.insert(PROBLEM.to_string(), Self::problem());
                    if status == "429" {
                        let seconds = utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::Integer)
                            .minimum(Some(1));
                        let header = utoipa::openapi::HeaderBuilder::new()
                            .schema(seconds)
                            .description(Some("Seconds to wait before trying again"))
                            .build();
                        response.headers.insert("Retry-After".to_string(), header);
                    }
                }
            }
        }
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
