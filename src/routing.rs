//! How a feature declares its routes: path, method, handler, OpenAPI entry
//! and who may call it, together. The router, the OpenAPI document, the role
//! gate and the security suite's access matrix are all read off these
//! declarations, so none of them can disagree with another.

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{FromRequestParts, MatchedPath, Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
    routing::MethodRouter,
    Router,
};
use utoipa::openapi::{path::HttpMethod, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::{accounts::Role, auth::Principal, error::AppError, state::AppState};

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A login that passed the password and still owes its second factor;
    /// the handler checks the half-finished session.
    PendingLogin,
    /// Anyone signed in, whatever their role.
    SignedIn,
    /// Only people with one of these roles.
    Only(&'static [Role]),
}

impl Access {
    pub const PATIENT: Access = Access::Only(&[Role::Patient]);
    pub const THERAPIST: Access = Access::Only(&[Role::Therapist]);
    pub const MANAGER: Access = Access::Only(&[Role::Manager]);
    pub const ADMIN: Access = Access::Only(&[Role::Admin]);
}

/// One declared route: a page's rule covers every method routed on its path,
/// an API operation's only its own method.
#[derive(Clone, Debug)]
pub struct Rule {
    pub path: String,
    pub method: Option<Method>,
    pub access: Access,
}

/// A feature's routes with their rules and OpenAPI entries.
pub struct Routes {
    router: OpenApiRouter<AppState>,
    rules: Vec<Rule>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Routes { router: OpenApiRouter::new(), rules: Vec::new() }
    }

    /// API operations on one path, from `utoipa_axum::routes!`: the path and
    /// methods are those of their `#[utoipa::path]` entries.
    pub fn api(mut self, access: Access, operations: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &operations.1.paths {
            for method in operation_methods(item) {
                self.rules.push(Rule { path: path.clone(), method: Some(method), access });
            }
        }
        self.router = self.router.routes(operations);
        self
    }

    /// A page, or an endpoint without an OpenAPI entry.
    pub fn page(mut self, access: Access, path: &str, methods: MethodRouter<AppState>) -> Self {
        self.rules.push(Rule { path: path.to_string(), method: None, access });
        self.router = self.router.route(path, methods);
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.rules.extend(other.rules);
        self.router = self.router.merge(other.router);
        self
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The axum router, the OpenAPI document's paths and the gate's table.
    pub fn into_parts(self) -> (Router<AppState>, OpenApi, AccessTable) {
        let table = AccessTable::new(&self.rules);
        let (router, openapi) = self.router.split_for_parts();
        (router, openapi, table)
    }
}

fn operation_methods(item: &utoipa::openapi::PathItem) -> Vec<Method> {
    [
        (HttpMethod::Get, &item.get),
        (HttpMethod::Post, &item.post),
        (HttpMethod::Put, &item.put),
        (HttpMethod::Patch, &item.patch),
        (HttpMethod::Delete, &item.delete),
    ]
    .into_iter()
    .filter(|(_, operation)| operation.is_some())
    .map(|(method, _)| match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Patch => Method::PATCH,
        _ => Method::DELETE,
    })
    .collect()
}

/// The rules by route template, for the gate that runs before every handler.
#[derive(Clone, Debug, Default)]
pub struct AccessTable {
    by_path: HashMap<String, Vec<Rule>>,
}

impl AccessTable {
    fn new(rules: &[Rule]) -> Self {
        let mut by_path: HashMap<String, Vec<Rule>> = HashMap::new();
        for rule in rules {
            by_path.entry(rule.path.clone()).or_default().push(rule.clone());
        }
        AccessTable { by_path }
    }

    /// Who may call `method` on `path`. A method the path does not route
    /// takes the path's one rule where it has one, so a caller without the
    /// role learns nothing from a 405.
    pub fn access(&self, method: &Method, path: &str) -> Option<Access> {
        let rules = self.by_path.get(path)?;
        let own = rules.iter().find(|r| r.method.as_ref().is_none_or(|m| m == method));
        match own {
            Some(rule) => Some(rule.access),
            None if rules.iter().all(|r| r.access == rules[0].access) => Some(rules[0].access),
            None => None,
        }
    }

    /// Whether the path has any rule at all.
    pub fn is_declared(&self, path: &str) -> bool {
        self.by_path.contains_key(path)
    }
}

/// What the role gate needs: the state to find the principal, the rules.
#[derive(Clone)]
pub struct Gate {
    pub state: AppState,
    pub table: Arc<AccessTable>,
}

/// Refuses, before the handler runs or any body is read, anyone the route's
/// rule does not admit; the principal it finds is kept for the handler.
/// A routed path without a rule is refused outright (the security suite
/// fails on it too).
pub async fn require_access(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    let Some(path) = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        return next.run(request).await;
    };
    let access = match gate.table.access(request.method(), &path) {
        Some(access) => access,
        None if gate.table.is_declared(&path) => return next.run(request).await,
        None => {
            tracing::error!(route = %path, "route without an access rule refused");
            return AppError::NotFound.into_response();
        }
    };
    let roles = match access {
        Access::Public | Access::PendingLogin => return next.run(request).await,
        Access::SignedIn => None,
        Access::Only(roles) => Some(roles),
    };
    let (mut parts, body) = request.into_parts();
    let poster = crate::auth::kept_forms::form_poster(&gate.state, &parts).await;
    let allowed = match Principal::from_request_parts(&mut parts, &gate.state).await {
        Ok(principal) => roles.map_or(Ok(()), |roles| principal.require(roles)),
        Err(refusal) => Err(refusal),
    };
    match (allowed, poster) {
        (Ok(()), _) => next.run(Request::from_parts(parts, body)).await,
        // What was typed into a form after the session ended is kept.
        (Err(AppError::Unauthenticated), Some(poster)) => {
            crate::auth::kept_forms::keep_refused_post(&gate.state, &parts, body, poster)
                .await
                .unwrap_or_else(|| AppError::Unauthenticated.into_response())
        }
        (Err(refusal), _) => refusal.into_response(),
    }
}
