//! API fuzzing: schemathesis against the published OpenAPI document, once per
//! role (anonymous, patient, therapist, manager, admin). No answer may be a
//! 5xx, and every answer must match the document: a documented status code,
//! its content type, its body schema and its headers; and no operation that
//! takes a token may work without one.
//!
//! The run is bounded (a few examples per operation, a fixed seed, and a hard
//! time limit per role) so that it fits in CI; `scripts/test` installs
//! schemathesis. A failure prints schemathesis' report, with a `curl` line for
//! each failing case. `ICBT_FUZZ_REPORTS=DIR` keeps the document, the
//! configuration and every request and answer; `ICBT_FUZZ_SEED` and
//! `ICBT_FUZZ_EXAMPLES` run other or more cases.

use std::{path::PathBuf, process::Stdio, time::Duration};

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use tokio::process::Command;

use crate::support::{accounts::PASSWORD, TestApp};

/// Hypothesis seed: the same cases every run.
const SEED: &str = "9";
/// Generated cases per operation and phase.
const MAX_EXAMPLES: &str = "25";
/// A role's run is killed (and fails) after this long: a guard against a
/// hang, not a speed target. The work itself is bounded by the examples; a
/// role takes about 10 s alone, more beside the rest of the suite on 2 cores.
const ROLE_LIMIT: Duration = Duration::from_secs(240);
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance,response_headers_conformance,ignored_auth";

/// Operations that would spoil the rest of a role's run: ending the caller's
/// own token turns every later request into a 401. They run on their own,
/// after everything else, with a throwaway token per role.
const ENDS_THE_TOKEN: &[&str] = &["DELETE /api/v1/auth/token"];

fn require_tools() -> bool {
    std::env::var("ICBT_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Whether schemathesis 4 (whose flags this file uses) is on `PATH`.
async fn schemathesis_installed() -> bool {
    let output = Command::new("schemathesis").arg("--version").stdin(Stdio::null()).output().await;
    output.is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("version 4."))
}

/// Where a set of real values is offered: to every operation with the
/// parameter, to those whose path matches a regex, or to one operation.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    All,
    Paths(&'static str),
    Operation(&'static str),
}

/// Values a parameter (`path.id`, `body.email`) draws from with `probability`;
/// the rest of the time schemathesis makes one up.
struct Binding {
    scope: Scope,
    key: &'static str,
    values: Vec<String>,
    probability: f32,
}

fn binding(scope: Scope, key: &'static str, values: &[&str]) -> Binding {
    let probability = if key.starts_with("path.") { 0.5 } else { 0.75 };
    Binding { scope, key, values: values.iter().map(|v| v.to_string()).collect(), probability }
}

/// The schemathesis configuration: real ids and valid field values as
/// dictionaries, so that requests get past validation into the code behind.
fn config(bindings: &[Binding]) -> String {
    let mut dictionaries = vec!["[dictionaries]".to_string()];
    let mut everywhere = vec!["[parameters]".to_string()];
    let mut scoped: Vec<(Scope, Vec<String>)> = Vec::new();
    for (n, binding) in bindings.iter().enumerate() {
        let quoted: Vec<String> = binding.values.iter().map(|v| format!("{v:?}")).collect();
        dictionaries.push(format!("d{n} = {{ values = [{}] }}", quoted.join(", ")));
        let entry =
            format!("{:?} = {{ dictionary = \"d{n}\", probability = {} }}", binding.key, binding.probability);
        match binding.scope {
            Scope::All => everywhere.push(entry),
            scope => match scoped.iter_mut().find(|(s, _)| *s == scope) {
                Some((_, entries)) => entries.push(entry),
                None => scoped.push((scope, vec![entry])),
            },
        }
    }
    let mut toml = [dictionaries.join("\n"), everywhere.join("\n")].join("\n\n");
    for (scope, entries) in scoped {
        let selector = match scope {
            Scope::Paths(regex) => format!("include-path-regex = {regex:?}"),
            Scope::Operation(name) => format!("include-name = {name:?}"),
            Scope::All => unreachable!(),
        };
        toml += &format!("\n\n[[operations]]\n{selector}\nparameters = {{ {} }}", entries.join(", "));
    }
    toml + "\n"
}

/// Where the document and schemathesis' event logs (every request and
/// answer) go: `$ICBT_FUZZ_REPORTS/<backend>` when set (e.g. to keep them as
/// CI artifacts), else the test's own temporary directory.
fn reports(app: &TestApp) -> PathBuf {
    let backend = format!("{:?}", app.state.db.get_database_backend()).to_lowercase();
    std::env::var_os("ICBT_FUZZ_REPORTS")
        .map_or_else(|| app.dir.path().join("reports"), PathBuf::from)
        .join(backend)
}

struct Run {
    role: &'static str,
    token: Option<String>,
    /// Only the operations that end the token (`true`), or all others.
    ending: bool,
}

/// Runs schemathesis once; `Err` with its report when it finds a problem.
async fn schemathesis(app: &TestApp, run: &Run) -> Result<(), String> {
    let seed = std::env::var("ICBT_FUZZ_SEED").unwrap_or_else(|_| SEED.into());
    let examples = std::env::var("ICBT_FUZZ_EXAMPLES").unwrap_or_else(|_| MAX_EXAMPLES.into());
    let mut args: Vec<String> = [
        "--config-file",
        "schemathesis.toml",
        "--no-color",
        "run",
        &app.url("/api/v1/openapi.json"),
        "--checks",
        CHECKS,
        "--max-examples",
        &examples,
        "--seed",
        &seed,
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        "10",
        // Hypothesis' health checks judge the generator, not the API, and
        // `too_slow` fails on a busy CI machine.
        "--suppress-health-check",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        &reports(app)
            .join(format!("{}{}.ndjson", run.role, if run.ending { "-ending" } else { "" }))
            .display()
            .to_string(),
    ]
    .map(String::from)
    .to_vec();
    for name in ENDS_THE_TOKEN {
        args.push(if run.ending { "--include-name".into() } else { "--exclude-name".into() });
        args.push(name.to_string());
    }
    if let Some(token) = &run.token {
        args.push("--header".into());
        args.push(format!("Authorization: Bearer {token}"));
    }
    let command = format!("schemathesis {}", args.join(" "));
    let child = Command::new("schemathesis")
        .args(&args)
        .current_dir(app.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: cannot start schemathesis: {e}", run.role))?;
    let output = match tokio::time::timeout(ROLE_LIMIT, child.wait_with_output()).await {
        Ok(output) => output.map_err(|e| format!("{}: schemathesis: {e}", run.role))?,
        Err(_) => {
            return Err(format!("{}: schemathesis took longer than {ROLE_LIMIT:?}\n{command}", run.role))
        }
    };
    let report =
        format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        // Shown with `--nocapture`.
        eprintln!(
            "schemathesis for {}{}: passed\n{report}",
            run.role,
            if run.ending { " (ending the token)" } else { "" }
        );
        Ok(())
    } else {
        Err(format!("schemathesis found problems for {} ({}):\n{command}\n{report}", run.role, output.status))
    }
}

db_test!(
    async fn schemathesis_finds_no_problem_for_any_role(app: TestApp) {
        fuzz_every_role(app).await
    }
);

async fn fuzz_every_role(app: TestApp) {
    if !schemathesis_installed().await {
        assert!(!require_tools(), "schemathesis 4 is not installed (scripts/test installs it)");
        eprintln!("note: schemathesis 4 is not installed: API fuzzing skipped (scripts/test installs it)");
        return;
    }
    let north = app.clinic("North").await;
    let south = app.clinic("South").await;
    let admin = app.admin().await;
    let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
    app.some_treatment(&anna, &north.therapist.email).await;
    let ben = app.patient(&north.therapist.email, "ben@north.test", "chronic-fatigue").await;
    let sara = app.patient(&south.therapist.email, "sara@south.test", "chronic-pain").await;
    // An invitation nobody has accepted yet.
    let therapist = app.token(&north.therapist.email).await;
    let invited = app
        .api_post(
            &therapist,
            "/api/v1/patients",
            json!({"email": "cees@north.test", "case_code": "C-cees", "program": "chronic-pain",
                   "feedback_cadence": "fortnightly", "feedback_weekday": "mon"}),
        )
        .await;
    assert_eq!(invited.status(), StatusCode::CREATED);
    let invited: Value = invited.json().await.unwrap();
    let invitation = invited["invitation_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();

    let admin_token = app.token(&admin.email).await;
    let outbox: Value = app.api_get(&admin_token, "/api/v1/outbox").await.json().await.unwrap();
    let outbox: Vec<String> =
        outbox["messages"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().into()).collect();
    let patients = [anna.id.as_str(), ben.id.as_str(), sara.id.as_str(), invited["id"].as_str().unwrap()];
    let today = icbt::diaries::service::today(&app.state);
    let days = [today.to_string(), today.pred_opt().unwrap().to_string()];
    let months = [today.format("%Y-%m").to_string(), "2026-01".to_string()];
    use Scope::*;
    let bindings = [
        binding(Paths("^/api/v1/patients/"), "path.id", &patients),
        binding(Paths("^/api/v1/outbox/"), "path.id", &outbox.iter().map(String::as_str).collect::<Vec<_>>()),
        binding(Paths("^/api/v1/me/questionnaires/"), "path.id", &["phq-9", "gad-7", "pain-nrs"]),
        binding(All, "path.clinic_id", &[&north.clinic.id, &south.clinic.id]),
        binding(All, "path.user_id", &[&north.colleague.id, &south.manager.id]),
        binding(All, "path.token", &[&invitation]),
        binding(
            All,
            "path.item_id",
            &["pain-welcome", "pain-what-matters", "pain-my-goals", "pain-level-diary"],
        ),
        binding(All, "path.diary_id", &["pain-level-diary", "pain-activity-diary", "pain-sleep-diary"]),
        binding(All, "path.module_id", &["your-goals", "understanding-pain", "activity-and-pacing"]),
        binding(
            Operation("POST /api/v1/auth/token"),
            "body.email",
            &["anna@north.test", &north.therapist.email],
        ),
        binding(Operation("POST /api/v1/auth/token"), "body.password", &[PASSWORD]),
        binding(Operation("POST /api/v1/invitations/{token}/accept"), "body.password", &[PASSWORD]),
        binding(Operation("POST /api/v1/patients"), "body.email", &["dirk@north.test", "ben@north.test"]),
        binding(Operation("POST /api/v1/patients"), "body.case_code", &["C-dirk", "P-042"]),
        binding(Operation("POST /api/v1/patients"), "body.program", &["chronic-pain", "chronic-fatigue"]),
        binding(Operation("POST /api/v1/patients"), "body.feedback_cadence", &["weekly", "fortnightly"]),
        binding(Operation("POST /api/v1/patients"), "body.feedback_weekday", &["mon", "thu", "sun"]),
        binding(Operation("POST /api/v1/me/diaries/{diary_id}/entries"), "body.date", &[&days[0], &days[1]]),
        binding(
            Operation("PUT /api/v1/me/digest-settings"),
            "body.cadence",
            &["daily", "feedback_day", "weekly", "in_app"],
        ),
        binding(Operation("PUT /api/v1/me/digest-settings"), "body.layout", &["per_patient", "combined"]),
        binding(Operation("PUT /api/v1/me/digest-settings"), "body.timezone", &["Europe/Amsterdam", "UTC"]),
        binding(All, "body.local_time", &["08:00", "20:30"]),
        binding(Operation("PUT /api/v1/reports/treatments"), "body.month", &[&months[0], &months[1]]),
        binding(Operation("POST /api/v1/staff"), "body.clinic_id", &[&north.clinic.id]),
        binding(Operation("POST /api/v1/staff"), "body.email", &["erik@north.test"]),
        binding(Operation("POST /api/v1/staff"), "body.team_id", &[&north.team.id]),
        binding(Operation("POST /api/v1/clinics/{clinic_id}/erasures"), "body.email", &["ben@north.test"]),
    ];
    std::fs::write(app.dir.path().join("schemathesis.toml"), config(&bindings)).unwrap();
    let document = app.get("/api/v1/openapi.json").await.text().await.unwrap();
    std::fs::create_dir_all(reports(&app)).unwrap();
    std::fs::write(reports(&app).join("openapi.json"), document).unwrap();
    std::fs::write(reports(&app).join("schemathesis.toml"), config(&bindings)).unwrap();

    // All tokens first: fuzzing POST /auth/token gets logins throttled.
    // Anonymous goes first, the admin last: its writes (deactivating staff,
    // erasing ben) would take records away from the others. Each role's run
    // of the operations in ENDS_THE_TOKEN comes after all the rest, with a
    // token of its own.
    let people = [
        ("patient", anna.email.as_str()),
        ("therapist", north.therapist.email.as_str()),
        ("manager", north.manager.email.as_str()),
        ("admin", admin.email.as_str()),
    ];
    let mut runs = vec![Run { role: "anonymous", token: None, ending: false }];
    let mut throwaway = Vec::new();
    for (role, email) in people {
        runs.push(Run { role, token: Some(app.token(email).await), ending: false });
        throwaway.push(Run { role, token: Some(app.token(email).await), ending: true });
    }
    runs.extend(throwaway);

    let mut failures = Vec::new();
    for run in &runs {
        if let Err(report) = schemathesis(&app, run).await {
            failures.push(report);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// What schemathesis found, each fixed: kept here so it stays fixed.
db_test!(
    async fn what_schemathesis_found_stays_fixed(app: TestApp) {
        let north = app.clinic("North").await;
        let admin = app.admin().await;
        let admin = app.token(&admin.email).await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        let field_error = |problem: &Value, field: &str| problem["errors"][field].is_array();

        // Every error the document lists is a problem+json; every operation
        // that takes a token lists 401 and 403; a 429 says when to come back.
        let document: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        let shared = &document["components"]["responses"];
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let responses = operation["responses"].as_object().unwrap();
                for (status, response) in responses.iter().filter(|(status, _)| status.as_str() >= "400") {
                    let response = match response["$ref"].as_str() {
                        Some(name) => &shared[name.rsplit('/').next().unwrap()],
                        None => response,
                    };
                    let types: Vec<&String> = response["content"].as_object().unwrap().keys().collect();
                    assert_eq!(types, ["application/problem+json"], "{method} {path} {status}");
                }
                if operation["security"].as_array().is_some_and(|s| !s.is_empty()) {
                    assert!(["401", "403"].iter().all(|s| responses.contains_key(*s)), "{method} {path}");
                }
            }
        }
        let throttled = &document["paths"]["/api/v1/auth/token"]["post"]["responses"]["429"];
        assert!(throttled["headers"]["Retry-After"].is_object(), "{throttled}");

        // An error page for a browser that takes gzip: the page is sent as it
        // is, not labelled as gzip (schemathesis' probe could not decode it).
        let page =
            app.client.get(app.url("/no-such-page")).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        assert!(page.headers().get("content-encoding").is_none(), "{:?}", page.headers());
        assert!(page.text().await.unwrap().starts_with("<!doctype html>"));

        // A NUL in an HTML form, here the login: the same (PostgreSQL gave a 500).
        let browser = crate::support::new_client();
        let form = [("email", "anna\u{0}@north.test"), ("password", "x")];
        let login = app.submit_form(&browser, "/login", "/login", &form).await;
        assert_eq!(login.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // A team name the clinic has already: 422 on PostgreSQL too (was a 500).
        let teams = format!("/api/v1/clinics/{}/teams", north.clinic.id);
        let taken = app.api_post(&admin, &teams, json!({"name": "Team"})).await;
        assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = taken.json().await.unwrap();
        assert!(field_error(&problem, "name"), "{problem}");

        // A NUL in any JSON text: 422 naming the field (PostgreSQL gave a 500).
        let nul = app.api_post(&admin, "/api/v1/clinics", json!({"name": "So\u{0}uth"})).await;
        assert_eq!(nul.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(nul.headers()["content-type"], "application/problem+json");
        let problem: Value = nul.json().await.unwrap();
        assert!(field_error(&problem, "name"), "{problem}");
        let today = icbt::diaries::service::today(&app.state);
        let entry =
            json!({"date": today.to_string(), "values": {"pain": 3, "interference": 2, "note": "a\u{0}"}});
        let nul = app.api_post(&anna.token, "/api/v1/me/diaries/pain-level-diary/entries", entry).await;
        assert_eq!(nul.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = nul.json().await.unwrap();
        assert!(field_error(&problem, "values.note"), "{problem}");
        // An escaped backslash before `u0000` is no NUL.
        let text = app.api_post(&anna.token, "/api/v1/me/messages", json!({"body": "C:\\u0000"})).await;
        assert_eq!(text.status(), StatusCode::CREATED);

        // NULs in the query and the path, and a path that is not UTF-8: 4xx
        // problems (PostgreSQL gave a 500 for a NUL; the router a text/plain 400).
        let therapist = app.token(&north.therapist.email).await;
        let manager = app.token(&north.manager.email).await;
        for (token, path) in [
            (&admin, "/api/v1/audit?actor_id=%00&action=%00&target_id=%00&clinic_id=%00"),
            (&admin, "/api/v1/outbox?status=%00"),
            (&admin, "/api/v1/outbox/%00/retry"),
            (&manager, "/api/v1/reports/uptake?team_id=%00"),
            (&therapist, "/api/v1/patients/%00"),
            (&therapist, "/api/v1/me/figures?team_id=%00"),
            (&anna.token, "/api/v1/me/items/%00"),
            (&anna.token, "/api/v1/me/diaries/%00/entries"),
            (&anna.token, "/api/v1/me/diaries/%FF/entries"),
            (&therapist, "/api/v1/patients/%C3%28"),
        ] {
            let response = if path.ends_with("/retry") {
                app.api_post(token, path, json!({})).await
            } else {
                app.api_get(token, path).await
            };
            let status = response.status();
            assert!(status.is_client_error() || status.is_success(), "{path}: {status}");
            if status.is_client_error() {
                assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
            }
        }
    }
);
