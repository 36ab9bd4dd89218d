//! The OpenAPI 3 document at `/api/v1/openapi.json`. Each feature lists its
//! API handlers here.

use axum::Json;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
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
    modifiers(&BearerAuth),
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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
