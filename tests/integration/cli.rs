//! The `icbt` binary itself: settings errors, serve and graceful shutdown,
//! migrate, demo data and creating the first administrator.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::Stdio,
    time::Duration,
};

use crate::support::{
    binary::{self, icbt, wait_until_ready, Server},
    database,
};

#[test]
fn a_bad_setting_stops_the_server_naming_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let output = icbt(dir.path())
        .env("ICBT__SERVER__BIND", "nonsense")
        .env("ICBT__MAIL__SMTP_TLS", "sometimes")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("server.bind"), "{stderr}");
    assert!(stderr.contains("mail.smtp_tls"), "{stderr}");
    assert!(!dir.path().join("data").exists(), "nothing is created before the settings are valid");
}

#[test]
fn clock_start_is_refused_in_production() {
    let dir = tempfile::tempdir().unwrap();
    let output = icbt(dir.path())
        .env("ICBT__ENVIRONMENT", "production")
        .env("ICBT__CLOCK__START", "2026-03-02T08:00:00Z")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("clock.start"));
}

async fn serve_and_stop(dir: &Path, database_url: Option<&str>) {
    let mut command = icbt(dir);
    if let Some(url) = database_url {
        command.env("ICBT__DATABASE__URL", url);
    }
    command.args(["serve", "--demo"]);
    let mut server = Server::start(&mut command).ready().await;
    let base = server.base.clone();
    let home = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("/login"));
    // The demo therapist's caseload is alive: simulated weeks of work.
    let client = reqwest::Client::new();
    let login = icbt::demo::LOGINS.iter().find(|l| l.role == icbt::accounts::Role::Therapist).unwrap();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": login.email, "password": login.password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let caseload: serde_json::Value = client
        .get(format!("{base}/api/v1/caseload"))
        .bearer_auth(token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let patients = caseload["patients"].as_array().unwrap();
    assert!(patients.len() >= 4, "{caseload}");
    assert!(patients.iter().any(|p| p["new_diary_entries"].as_u64() > Some(0)), "{caseload}");
    // A colleague in the same team has a caseload too, and is offered for cover.
    let colleague = &icbt::demo::LOGINS[4];
    let browser = crate::support::new_client();
    let login = [("email", colleague.email), ("password", colleague.password)];
    let page = browser.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::support::accounts::csrf_in(&page).unwrap();
    let form = [("csrf", csrf.as_str()), login[0], login[1]];
    let logged_in = browser.post(format!("{base}/login")).form(&form).send().await.unwrap();
    assert_eq!(logged_in.status(), 303, "the colleague logs in");
    let cover = browser.get(format!("{base}/cover")).send().await.unwrap().text().await.unwrap();
    assert!(cover.contains("Sanne de Vries"), "the demo therapist can be covered for: {cover}");
    let theirs = browser.get(format!("{base}/caseload")).send().await.unwrap().text().await.unwrap();
    assert!(theirs.contains("/patients/"), "the colleague has patients of their own");
    let status = server.terminate(Duration::from_secs(5));
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn serve_on_sqlite_becomes_ready_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    serve_and_stop(dir.path(), None).await;
    assert!(dir.path().join("data/icbt.db").exists(), "the default SQLite file is created");
    let url = format!("sqlite://{}/data/icbt.db", dir.path().display());
    let first = count_users(&url).await;
    // A second start on the migrated database with --demo is idempotent.
    serve_and_stop(dir.path(), None).await;
    assert_eq!(count_users(&url).await, first, "the demo clinic is made once");
    assert!(first > 4, "the demo logins and the simulated clinic");
}

#[tokio::test]
async fn serve_on_postgres_becomes_ready_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let Some(db) = database::fresh_postgres(dir.path()).await else { return };
    serve_and_stop(dir.path(), Some(&db.url)).await;
    let first = count_users(&db.url).await;
    serve_and_stop(dir.path(), Some(&db.url)).await;
    assert_eq!(count_users(&db.url).await, first, "the demo clinic is made once");
}

async fn count_users(url: &str) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    let db = sea_orm::Database::connect(url).await.unwrap();
    let n = icbt::entities::users::Entity::find().count(&db).await.unwrap();
    let _ = db.close().await;
    n
}

#[tokio::test]
async fn migrate_and_create_the_first_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let output = icbt(dir.path()).arg("migrate").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let create = |password: &str| {
        let mut child = icbt(dir.path())
            .args(["user", "create", "--role", "admin", "--email", "Root@Clinic.example"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = create("short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12"));

    let ok = create("a long and quiet river");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("root@clinic.example"));

    let again = create("a long and quiet river");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("email"));
}

#[test]
fn content_check_lists_the_programs_and_names_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let ok = icbt(dir.path()).args(["content", "check"]).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let listing = String::from_utf8_lossy(&ok.stdout);
    assert!(listing.contains("chronic-pain") && listing.contains("chronic-fatigue"), "{listing}");
    assert!(listing.contains("activity-and-pacing") && listing.contains("assignments"), "{listing}");

    let broken = dir.path().join("content");
    crate::content::copy_dir(&crate::content::shipped(), &broken);
    let program = broken.join("chronic-pain/program.toml");
    let text = std::fs::read_to_string(&program).unwrap();
    std::fs::write(&program, text.replace("\"03-activity-and-pacing\",", "\"03-nowhere\",")).unwrap();
    let bad = icbt(dir.path()).args(["content", "check"]).arg(&broken).output().unwrap();
    assert!(!bad.status.success());
    let report = String::from_utf8_lossy(&bad.stderr);
    assert!(
        report.contains("chronic-pain/program.toml:") && report.contains("\"03-nowhere\" does not exist"),
        "{report}"
    );

    // The server refuses to start on the same content, with the same report.
    let serve = icbt(dir.path()).env("ICBT__CONTENT__DIR", &broken).arg("serve").output().unwrap();
    assert!(!serve.status.success());
    assert!(String::from_utf8_lossy(&serve.stderr).contains("\"03-nowhere\" does not exist"));
}

/// Runs a whole account flow against a server logging at debug level and
/// checks that no password, token, session id or link secret reaches the log.
#[tokio::test]
async fn no_secret_ever_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let password = "a very secret walk in the park";
    let mut create = icbt(dir.path())
        .args(["user", "create", "--role", "admin", "--email", "root@clinic.example"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(create.stdin.take().unwrap(), "{password}").unwrap();
    assert!(create.wait().unwrap().success());

    let mut command = icbt(dir.path());
    command.env("ICBT__LOG__FILTER", "debug").env("ICBT__LOG__FORMAT", "json").arg("serve");
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&line);
            sink.lock().unwrap().push('\n');
        }
    });
    let base = binary::address(&mut child);
    let mut server = Server { child, base: base.clone() };
    wait_until_ready(&base).await;

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": "root@clinic.example", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let clinic: serde_json::Value = client
        .post(format!("{base}/api/v1/clinics"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "North"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let staff: serde_json::Value = client
        .post(format!("{base}/api/v1/staff"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"email": "t@north.example", "name": "T", "role": "therapist", "clinic_id": clinic["id"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invitation_url = staff["invitation_url"].as_str().unwrap().to_string();
    let invitation = invitation_url.rsplit('/').next().unwrap().to_string();
    client.get(format!("{base}/invitations/{invitation}")).send().await.unwrap();
    let second_password = "another secret for the therapist";
    let accepted = client
        .post(format!("{base}/api/v1/invitations/{invitation}/accept"))
        .json(&serde_json::json!({"password": second_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    // A browser login, for a session cookie.
    let page = client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::support::accounts::csrf_in(&page).unwrap();
    let response = client
        .post(format!("{base}/login"))
        .form(&[("csrf", csrf.as_str()), ("email", "t@north.example"), ("password", second_password)])
        .send()
        .await
        .unwrap();
    let session = crate::support::accounts::session_cookie(&response).expect("a session");
    client.get(format!("{base}/account")).send().await.unwrap();
    client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": "t@north.example", "password": "wrong password here"}))
        .send()
        .await
        .unwrap();

    let status = server.terminate(Duration::from_secs(5));
    assert!(status.success());
    let log = log.lock().unwrap().clone();
    assert!(log.lines().count() > 10, "debug logging was on:\n{log}");
    for (what, secret) in [
        ("password", password),
        ("second password", second_password),
        ("wrong password", "wrong password here"),
        ("bearer token", token.as_str()),
        ("invitation token", invitation.as_str()),
        ("session id", session.as_str()),
        ("csrf token", csrf.as_str()),
    ] {
        assert!(!log.contains(secret), "the {what} is in the log");
    }
}
