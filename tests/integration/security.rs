//! The security regression suite. The access matrix covers every route the
//! router holds: the routes are read off the router itself, so a new route
//! without a rule here fails the test. Every response carries the security
//! headers; every HTML form carries, and every HTML write demands, a CSRF
//! token.

use std::collections::BTreeSet;

use reqwest::{header, Client, Method, StatusCode};

use icbt::{
    accounts::Role,
    routing::{Access, AccessTable},
    state::AppState,
};

use crate::support::{accounts::csrf_in, care::Patient, new_client, TestApp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Patient,
    Therapist,
    Manager,
    Admin,
}

const SIGNED_IN: &[Who] = &[Who::Patient, Who::Therapist, Who::Manager, Who::Admin];
const MID_LOGIN: &[Who] = &[];
const EVERYONE: &[Who] = &[Who::Anonymous, Who::Patient, Who::Therapist, Who::Manager, Who::Admin];

/// Who may use a route, as its declaration says. `None`: no rule.
fn rule(table: &AccessTable, method: &Method, path: &str) -> Option<Vec<Who>> {
    let who = |role: &Role| match role {
        Role::Patient => Who::Patient,
        Role::Therapist => Who::Therapist,
        Role::Manager => Who::Manager,
        Role::Admin => Who::Admin,
    };
    Some(match table.access(method, path)? {
        Access::Public => EVERYONE.to_vec(),
        Access::PendingLogin => MID_LOGIN.to_vec(),
        Access::SignedIn => SIGNED_IN.to_vec(),
        Access::Only(roles) => roles.iter().map(who).collect(),
    })
}

/// The access rules of every declared route.
fn declared() -> AccessTable {
    icbt::app::routes().into_parts().2
}

/// Every path a router serves, read off the router itself.
fn paths_of(router: &axum::Router<AppState>) -> Vec<String> {
    let debug = format!("{router:?}");
    let mut paths = BTreeSet::new();
    for piece in debug.split("RouteId(").skip(1) {
        if let Some(rest) = piece.split_once("): \"").map(|(_, rest)| rest) {
            // The fallback (404 for everything else) is not a route.
            let path = rest.split('"').next().filter(|p| p.starts_with('/') && !p.contains("axum_fallback"));
            if let Some(path) = path {
                paths.insert(path.to_string());
            }
        }
    }
    paths.into_iter().collect()
}

/// Paths a router serves that no declaration gives a rule.
fn unruled(router: &axum::Router<AppState>, table: &AccessTable) -> Vec<String> {
    paths_of(router).into_iter().filter(|p| !table.is_declared(p)).collect()
}

/// Every path the server's router serves.
fn routed_paths() -> Vec<String> {
    let (router, _, table) = icbt::app::routes().into_parts();
    let paths = paths_of(&router);
    assert!(paths.len() > 100, "the router's paths could not be read: {paths:?}");
    assert_eq!(unruled(&router, &table), Vec::<String>::new(), "routes without an access rule");
    paths
}

#[test]
fn a_route_added_without_a_rule_is_found() {
    let (router, _, table) = icbt::app::routes().into_parts();
    assert!(unruled(&router, &table).is_empty());
    let router = router.route("/reports/rogue", axum::routing::get(|| async { "figures" }));
    assert_eq!(unruled(&router, &table), vec!["/reports/rogue".to_string()]);
}

/// The routes anyone may call without signing in: a new one must be added
/// here on purpose.
#[test]
fn only_the_front_door_is_public() {
    let public: BTreeSet<String> = icbt::app::routes()
        .rules()
        .iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| match &r.method {
            Some(method) => format!("{method} {}", r.path),
            None => r.path.clone(),
        })
        .collect();
    let expected = [
        "/",
        "/api/v1/openapi.json",
        "/dev/mailbox",
        "/dev/mailbox/{file}",
        "/favicon.ico",
        "/invitations/{token}",
        "/login",
        "/metrics",
        "/password/forgot",
        "/password/reset/{token}",
        "/static/{file}",
        "GET /healthz",
        "GET /readyz",
        "POST /api/v1/auth/token",
        "POST /api/v1/invitations/{token}/accept",
    ];
    assert_eq!(public, expected.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>());
}

/// Each area's routes belong to its role, whatever a declaration says.
#[test]
fn areas_keep_to_their_roles() {
    for rule in icbt::app::routes().rules() {
        let path = rule.path.as_str();
        let api = path.strip_prefix("/api/v1").unwrap_or("");
        let under = |p: &str, prefix: &str| p == prefix || p.starts_with(&format!("{prefix}/"));
        let expected = if under(path, "/admin")
            || ["/clinics", "/staff", "/audit", "/outbox"].iter().any(|p| under(api, p))
        {
            Some(Access::ADMIN)
        } else if ["/patients", "/caseload", "/snippets", "/cover"]
            .iter()
            .any(|p| under(path, p) || under(api, p))
        {
            Some(Access::THERAPIST)
        } else if ["/home", "/program", "/items", "/my-data", "/messages", "/questionnaires"]
            .iter()
            .any(|p| under(path, p))
        {
            Some(Access::PATIENT)
        } else if under(path, "/reports") {
            Some(Access::MANAGER)
        } else {
            None
        };
        if let Some(expected) = expected {
            assert_eq!(rule.access, expected, "{path}");
        }
    }
}

db_test!(
    async fn a_route_without_a_rule_is_refused(app: TestApp) {
        // An area's router that gained a route outside the declarations.
        let (router, openapi, table) = icbt::app::routes().into_parts();
        let router = router.route("/reports/rogue", axum::routing::get(|| async { "figures" }));
        assert_eq!(unruled(&router, &table), vec!["/reports/rogue".to_string()]);
        let served = icbt::app::router_from_parts(app.state.clone(), (router, openapi, table));
        let response = tower::ServiceExt::oneshot(
            served,
            axum::http::Request::get("/reports/rogue").body(axum::body::Body::empty()).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::NOT_FOUND);
    }
);

/// The values a path's parameters take: real records of the scenario, so
/// that the one who may gets through and every other gets refused.
struct Fixture {
    patient: Patient,
    clinic_id: String,
    colleague_id: String,
}

impl Fixture {
    fn fill(&self, path: &str) -> String {
        let path = path
            .replace("questionnaires/{id}", "questionnaires/phq-9")
            .replace("snippets/{id}", "snippets/00000000-0000-7000-8000-000000000000")
            .replace("outbox/{id}", "outbox/00000000-0000-7000-8000-000000000000");
        path.replace("{id}", &self.patient.id)
            .replace("{clinic_id}", &self.clinic_id)
            .replace("{user_id}", &self.colleague_id)
            .replace("{token}", "not-a-real-token")
            .replace("{item_id}", "pain-welcome")
            .replace("{module_id}", "understanding-pain")
            .replace("{diary_id}", "pain-level-diary")
            .replace("{program}", "chronic-pain")
            .replace("{file}", "app.css")
    }
}

/// How one kind of person reaches the server: a browser session with its
/// CSRF token, and a bearer token.
struct Caller {
    who: Who,
    email: Option<String>,
    browser: Client,
    csrf: String,
    token: Option<String>,
}

async fn caller(app: &TestApp, who: Who, email: Option<&str>) -> Caller {
    let (browser, token) = match email {
        Some(email) => (app.browser_login(email).await, Some(app.token(email).await)),
        None => (new_client(), None),
    };
    let page = if email.is_some() { "/account" } else { "/login" };
    let html = browser.get(app.url(page)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&html).unwrap_or_else(|| panic!("{who:?}: no CSRF token on {page}"));
    Caller { who, email: email.map(str::to_string), browser, csrf, token }
}

const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

/// Requests that end the caller's session are made from a throwaway login.
fn ends_the_session(method: &Method, path: &str) -> bool {
    matches!(
        (method.as_str(), path),
        ("POST", "/logout" | "/account/sessions/end-all") | ("DELETE", "/api/v1/auth/token")
    )
}

async fn send(
    app: &TestApp,
    caller: &Caller,
    method: &Method,
    url_path: &str,
    with_csrf: bool,
) -> reqwest::Response {
    let url = app.url(url_path);
    let request = if url_path.starts_with("/api/") {
        let mut request = app.client.request(method.clone(), url);
        if let Some(token) = &caller.token {
            request = request.bearer_auth(token);
        }
        match *method {
            Method::GET | Method::DELETE => request,
            _ => request.header(header::CONTENT_TYPE, "application/json").body("{}"),
        }
    } else {
        let request = caller.browser.request(method.clone(), url);
        match *method {
            Method::GET => request,
            _ => {
                let body = if with_csrf { format!("csrf={}", caller.csrf) } else { String::new() };
                request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(body)
            }
        }
    };
    request.send().await.expect("request")
}

fn check_headers(response: &reqwest::Response, what: &str) {
    let headers = response.headers();
    for (name, expected) in [
        ("x-content-type-options", Some("nosniff")),
        ("x-frame-options", Some("DENY")),
        ("referrer-policy", Some("no-referrer")),
        ("content-security-policy", None),
        ("cache-control", None),
    ] {
        let value = headers.get(name).and_then(|v| v.to_str().ok());
        assert!(value.is_some(), "{what}: no {name} header");
        if let Some(expected) = expected {
            assert_eq!(value, Some(expected), "{what}: {name}");
        }
    }
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{what}: CSP {csp}");
}

/// A clinic with a patient, and one caller of each kind.
async fn one_of_each(app: &TestApp) -> (Fixture, [Caller; 5]) {
    let north = app.clinic("North").await;
    let admin = app.admin().await;
    let patient = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
    let fixture =
        Fixture { clinic_id: north.clinic.id.clone(), colleague_id: north.colleague.id.clone(), patient };
    let callers = [
        caller(app, Who::Anonymous, None).await,
        caller(app, Who::Patient, Some("anna@north.test")).await,
        caller(app, Who::Therapist, Some(&north.therapist.email)).await,
        caller(app, Who::Manager, Some(&north.manager.email)).await,
        caller(app, Who::Admin, Some(&admin.email)).await,
    ];
    (fixture, callers)
}

db_test!(
    async fn every_route_has_a_rule_and_keeps_to_it(app: TestApp) {
        let (fixture, callers) = one_of_each(&app).await;

        // Which methods each path answers: 405 means none is routed.
        let table = declared();
        let mut routes = Vec::new();
        for path in routed_paths() {
            for method in &METHODS {
                let response = send(&app, &callers[0], method, &fixture.fill(&path), true).await;
                if response.status() != StatusCode::METHOD_NOT_ALLOWED {
                    routes.push((method.clone(), path.clone()));
                }
            }
        }
        let unruled: Vec<String> = routes
            .iter()
            .filter(|(m, p)| rule(&table, m, p).is_none())
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        assert!(unruled.is_empty(), "routes without an access rule in their declaration: {unruled:#?}");

        // Ending every session of a user ends the callers' too: those go last.
        routes.sort_by_key(|(method, path)| ends_the_session(method, path));
        let mut failures = Vec::new();
        for (method, path) in &routes {
            let allowed = rule(&table, method, path).unwrap();
            let url_path = fixture.fill(path);
            for caller in &callers {
                let throwaway;
                let caller = match (&caller.email, ends_the_session(method, path)) {
                    (Some(email), true) => {
                        throwaway = self::caller(&app, caller.who, Some(email)).await;
                        &throwaway
                    }
                    _ => caller,
                };
                let response = send(&app, caller, method, &url_path, true).await;
                let status = response.status();
                let what = format!("{:?} {method} {url_path}", caller.who);
                check_headers(&response, &what);
                let location =
                    response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
                let to_login = status == StatusCode::SEE_OTHER && location.starts_with("/login");
                let ok = if status.is_server_error() {
                    false
                } else if allowed.is_empty()
                    || (ends_the_session(method, path)
                        && allowed.contains(&caller.who)
                        && !path.starts_with("/api/"))
                {
                    to_login
                } else if allowed.contains(&caller.who) {
                    !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                        && !location.starts_with("/login")
                } else if caller.who == Who::Anonymous {
                    match url_path.starts_with("/api/") {
                        true => status == StatusCode::UNAUTHORIZED,
                        false => to_login,
                    }
                } else {
                    matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                };
                if !ok {
                    failures.push(format!("{what}: {status} {location} (allowed: {allowed:?})"));
                }
            }
        }
        assert!(failures.is_empty(), "access matrix violations:\n{}", failures.join("\n"));
    }
);

db_test!(
    async fn every_html_write_demands_the_csrf_token_and_every_form_has_one(app: TestApp) {
        let (fixture, callers) = one_of_each(&app).await;
        let table = declared();
        let pages: Vec<String> = routed_paths().into_iter().filter(|p| !p.starts_with("/api/")).collect();
        let mut writes = 0;
        let mut forms = 0;
        for path in &pages {
            let url_path = fixture.fill(path);
            for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
                let Some(allowed) = rule(&table, &method, path) else { continue };
                let probe = send(&app, &callers[0], &method, &url_path, true).await;
                if probe.status() == StatusCode::METHOD_NOT_ALLOWED {
                    continue;
                }
                // The one who may write, with the cookie but without the token.
                let caller = callers.iter().find(|c| allowed.contains(&c.who)).unwrap_or(&callers[0]);
                let refused = send(&app, caller, &method, &url_path, false).await;
                assert_eq!(
                    refused.status(),
                    StatusCode::FORBIDDEN,
                    "{:?} {method} {url_path} without CSRF",
                    caller.who
                );
                let wrong = caller
                    .browser
                    .request(method.clone(), app.url(&url_path))
                    .form(&[("csrf", "0".repeat(64))])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(wrong.status(), StatusCode::FORBIDDEN, "{method} {url_path} with a wrong token");
                writes += 1;
            }
            // Every form on every page anyone may open carries the token.
            let Some(allowed) = rule(&table, &Method::GET, path) else { continue };
            for caller in callers.iter().filter(|c| allowed.contains(&c.who)) {
                let response = send(&app, caller, &Method::GET, &url_path, true).await;
                let html_page = response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
                if !html_page {
                    continue;
                }
                let html = response.text().await.unwrap();
                for form in html.split("<form").skip(1) {
                    let form = form.split("</form>").next().unwrap_or(form);
                    if form.contains("method=\"post\"") {
                        assert!(
                            form.contains("name=\"csrf\""),
                            "{:?} GET {url_path}: a form without CSRF field",
                            caller.who
                        );
                        forms += 1;
                    }
                }
            }
        }
        assert!(writes > 40, "only {writes} HTML writes were found");
        assert!(forms > 20, "only {forms} forms were found");
    }
);
