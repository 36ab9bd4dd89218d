//! The OpenAPI 3 document at `/api/v1/openapi.json`: the title, tags and
//! security scheme here, the operations from the routes each feature declares
//! (`crate::routing`).

use std::sync::Arc;

use axum::{
    body::Body,
    http::header,
    response::{IntoResponse, Response as HttpResponse},
    Extension,
};
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

/// The whole document, serialised once when the router is built.
#[derive(Clone)]
pub struct Document(Arc<str>);

/// The document for `operations`, the paths read off the declared routes.
pub fn document(operations: utoipa::openapi::OpenApi) -> Document {
    let mut openapi = ApiDoc::openapi().merge_from(operations);
    ErrorResponses.modify(&mut openapi);
    let json = serde_json::to_string(&openapi).unwrap_or_else(|_| "{}".to_string());
    Document(json.into())
}

pub async fn serve_document(Extension(document): Extension<Document>) -> HttpResponse<Body> {
    ([(header::CONTENT_TYPE, "application/json")], document.0.to_string()).into_response()
}
