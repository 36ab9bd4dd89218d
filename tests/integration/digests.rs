//! Digests over a real SMTP server: the field study's week, batched the way
//! each therapist asked; no content in any e-mail; urgent risk alerts at once;
//! nothing lost while SMTP is down; daylight-saving changes.

use chrono::{DateTime, Duration, Utc};
use icbt::entities::states::{MailKind, MailStatus};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    care::Patient,
    smtp::{decoded_body, header, SmtpServer},
    TestApp,
};

/// Written into every diary text and message; no e-mail may contain it.
const CANARY: &str = "CANARY-7f3a-private-words";

/// Monday 2026-03-02, 10:00 in Amsterdam.
const MONDAY: &str = "2026-03-02T09:00:00Z";

pub(crate) fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The worker, once an hour of test time, until `until`.
pub(crate) async fn work_until(app: &TestApp, until: DateTime<Utc>) {
    let mailer = icbt::mail::Mailer::from_settings(&app.state.settings.mail).unwrap();
    while app.state.clock.now() < until {
        app.state.clock.advance(Duration::hours(1));
        icbt::worker::run_once(&app.state, &mailer, "test-worker").await.unwrap();
    }
}

async fn set_digests(app: &TestApp, therapist_email: &str, settings: Value) {
    let token = app.token(therapist_email).await;
    let saved = app
        .client
        .put(app.url("/api/v1/me/digest-settings"))
        .bearer_auth(&token)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
}

/// The therapist opens every module, so the patient has pages to read.
async fn open_everything(app: &TestApp, token: &str, patient: &Patient) {
    let record: Value =
        app.api_get(token, &format!("/api/v1/patients/{}", patient.id)).await.json().await.unwrap();
    for module in record["modules"].as_array().unwrap() {
        let path = format!("/api/v1/patients/{}/modules/{}", patient.id, module["id"].as_str().unwrap());
        let opened = app
            .client
            .patch(app.url(&path))
            .bearer_auth(token)
            .json(&json!({"state": "open"}))
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), StatusCode::OK);
    }
}

/// A diary entry whose every text field holds the canary.
async fn diary(app: &TestApp, patient: &Patient, diary_id: &str, date: &str) {
    let form: Value =
        app.api_get(&patient.token, &format!("/api/v1/me/items/{diary_id}")).await.json().await.unwrap();
    let fields = form["fields"].as_array().unwrap();
    let mut values = crate::patient_api::fill(fields);
    for field in fields.iter().filter(|f| matches!(f["type"].as_str(), Some("text" | "long_text"))) {
        values[field["id"].as_str().unwrap()] = json!(CANARY);
    }
    let saved = app
        .api_post(
            &patient.token,
            &format!("/api/v1/me/diaries/{diary_id}/entries"),
            json!({"date": date, "values": values}),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::CREATED, "{diary_id} on {date}");
}

const DIARIES: [&str; 3] = ["pain-level-diary", "pain-activity-diary", "pain-sleep-diary"];

/// Day 1 of the study: five diary entries (three today, two for yesterday).
/// Later days: three diary entries and two pages read.
async fn study_day(app: &TestApp, patient: &Patient, day: u32) {
    let today = icbt::diaries::service::today(&app.state);
    for diary_id in DIARIES {
        diary(app, patient, diary_id, &today.to_string()).await;
    }
    if day == 1 {
        for diary_id in &DIARIES[..2] {
            diary(app, patient, diary_id, &(today - Duration::days(1)).to_string()).await;
        }
        let sent = app.api_post(&patient.token, "/api/v1/me/messages", json!({"body": CANARY})).await;
        assert_eq!(sent.status(), StatusCode::CREATED);
        return;
    }
    let program: Value = app.api_get(&patient.token, "/api/v1/me/program").await.json().await.unwrap();
    let unread: Vec<String> = program["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["items"].as_array().unwrap().iter())
        .filter(|i| i["kind"] == "page" && i["state"] == "open")
        .map(|i| i["id"].as_str().unwrap().to_string())
        .take(2)
        .collect();
    assert_eq!(unread.len(), 2, "pages to read on day {day}");
    for page in unread {
        let done =
            app.api_post(&patient.token, &format!("/api/v1/me/items/{page}/complete"), json!({})).await;
        assert_eq!(done.status(), StatusCode::NO_CONTENT);
    }
}

/// The study's five days for every patient, with the worker running hourly
/// in between, then two quiet days for the last digests to go out.
async fn study_week(app: &TestApp, patients: &[Patient]) {
    let start = app.state.clock.now();
    for day in 1..=5 {
        for patient in patients {
            study_day(app, patient, day).await;
        }
        work_until(app, start + Duration::days(day.into())).await;
    }
    work_until(app, start + Duration::days(8)).await;
}

/// One therapist with `cadence` digests at 08:00 and one patient (feedback
/// on Mondays) through the study's week; returns the therapist's e-mail.
async fn one_patients_study_week(app: &TestApp, cadence: &str) -> (String, Patient) {
    let clinic = app.clinic("North").await;
    let therapist = clinic.therapist.email.clone();
    let settings = json!({"cadence": cadence, "local_time": "08:00", "timezone": "Europe/Amsterdam",
        "layout": "per_patient"});
    set_digests(app, &therapist, settings).await;
    let anna = app.patient_with_feedback_day(&therapist, "anna@north.test", "chronic-pain", "mon").await;
    open_everything(app, &app.token(&therapist).await, &anna).await;
    study_week(app, std::slice::from_ref(&anna)).await;
    (therapist, anna)
}

/// The digest e-mails the SMTP server received for `to`.
fn digests_to(smtp: &SmtpServer, to: &str) -> Vec<String> {
    smtp.messages()
        .into_iter()
        .filter(|m| header(m, "To") == Some(to))
        .filter(|m| header(m, "Subject").is_some_and(|s| s.starts_with("icbt: new activity")))
        .collect()
}

fn assert_no_content(smtp: &SmtpServer) {
    for message in smtp.messages() {
        assert!(
            !message.contains(CANARY) && !decoded_body(&message).contains(CANARY),
            "content in: {message}"
        );
    }
}

smtp_test!(
    ["clock.start" => MONDAY],
    async fn daily_digests_send_one_email_a_day_without_content(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let (therapist, anna) = one_patients_study_week(&app, "daily").await;

        let digests = digests_to(&smtp, &therapist);
        assert_eq!(digests.len(), 5, "one e-mail a day for five days of activity");
        let first = decoded_body(&digests.iter().find(|m| decoded_body(m).contains("Messages: 1")).unwrap().clone());
        assert!(first.contains("C-anna") && first.contains("Diary entries: 5"), "{first}");
        assert!(first.contains(&format!("/patients/{}", anna.id)), "a link to the record");
        assert!(first.contains("Tip for this week"), "a booster tip: {first}");
        let ids: std::collections::HashSet<_> =
            digests.iter().map(|m| header(m, "Message-ID").unwrap().to_string()).collect();
        assert_eq!(ids.len(), 5, "each digest once");
        assert_no_content(&smtp);

        let token = app.token(&therapist).await;
        let centre: Value = app.api_get(&token, "/api/v1/me/notifications").await.json().await.unwrap();
        assert_eq!(centre["digests"].as_array().unwrap().len(), 5, "the same digests in the platform");
        assert!(centre["digests"].as_array().unwrap().iter().all(|d| d["status"] == "sent"));
    }
);

smtp_test!(
    ["clock.start" => MONDAY],
    async fn feedback_day_digests_send_one_email_for_the_week(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let (therapist, _) = one_patients_study_week(&app, "feedback_day").await;

        let digests = digests_to(&smtp, &therapist);
        assert_eq!(digests.len(), 1, "one e-mail, on the feedback day");
        let body = decoded_body(&digests[0]);
        assert!(body.contains("Diary entries: 17") && body.contains("Pages read: 8"), "{body}");
        let token = app.token(&therapist).await;
        let centre: Value = app.api_get(&token, "/api/v1/me/notifications").await.json().await.unwrap();
        assert_eq!(centre["digests"][0]["due_at"], "2026-03-09T07:00:00Z", "Monday 9 March, 08:00 local");
        assert_no_content(&smtp);
    }
);

smtp_test!(
    ["clock.start" => MONDAY],
    async fn the_combined_layout_sends_one_email_a_day_for_twenty_patients(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = app.clinic("North").await;
        let therapist = clinic.therapist.email.clone();
        set_digests(&app, &therapist, json!({"cadence": "daily", "local_time": "08:00",
            "timezone": "Europe/Amsterdam", "layout": "combined"}))
        .await;
        let token = app.token(&therapist).await;
        let mut patients = Vec::new();
        for n in 0..20 {
            let patient =
                app.patient_with_feedback_day(&therapist, &format!("p{n:02}@north.test"), "chronic-pain", "mon").await;
            open_everything(&app, &token, &patient).await;
            patients.push(patient);
        }
        study_week(&app, &patients).await;

        let digests = digests_to(&smtp, &therapist);
        assert_eq!(digests.len(), 5, "one e-mail a day for all twenty");
        for digest in &digests {
            let body = decoded_body(digest);
            assert!(body.contains("20 patients did some work"), "{body}");
            assert!((0..20).all(|n| body.contains(&format!("C-p{n:02}"))), "a section per patient");
        }
        assert_no_content(&smtp);
    }
);

smtp_test!(
    ["clock.start" => MONDAY],
    async fn a_risk_answer_is_emailed_at_once_while_activity_waits(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = app.clinic("North").await;
        let therapist = clinic.therapist.email.clone();
        // In-app only: no setting can hold back the alert.
        set_digests(&app, &therapist, json!({"cadence": "in_app", "local_time": "08:00",
            "timezone": "Europe/Amsterdam", "layout": "per_patient"}))
        .await;
        let anna = app.patient(&therapist, "anna@north.test", "chronic-pain").await;
        let today = icbt::diaries::service::today(&app.state).to_string();
        diary(&app, &anna, "pain-level-diary", &today).await;
        let listed: Value = app.api_get(&anna.token, "/api/v1/me/questionnaires").await.json().await.unwrap();
        let phq9 = listed["questionnaires"].as_array().unwrap().iter().find(|q| q["id"] == "phq-9").unwrap();
        let mut answers = serde_json::Map::new();
        for item in phq9["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            answers.insert(id.to_string(), json!(if id == "phq9-9" { 1 } else { 0 }));
        }
        let answered =
            app.api_post(&anna.token, "/api/v1/me/questionnaires/phq-9/responses", json!({"answers": answers})).await;
        assert_eq!(answered.status(), StatusCode::CREATED);

        let mailer = icbt::mail::Mailer::from_settings(&app.state.settings.mail).unwrap();
        icbt::worker::run_once(&app.state, &mailer, "test-worker").await.unwrap();
        let to_therapist: Vec<String> =
            smtp.messages().into_iter().filter(|m| header(m, "To") == Some(therapist.as_str())).collect();
        assert_eq!(to_therapist.len(), 1, "the alert, and nothing else yet");
        assert_eq!(header(&to_therapist[0], "Subject"), Some("icbt: urgent, please look at a patient"));
        let body = decoded_body(&to_therapist[0]);
        assert!(body.contains("C-anna") && body.contains(&format!("/patients/{}", anna.id)), "{body}");
        assert!(!body.contains("PHQ") && !body.contains("score"), "no clinical content: {body}");

        let token = app.token(&therapist).await;
        let caseload: Value = app.api_get(&token, "/api/v1/caseload").await.json().await.unwrap();
        assert!(!caseload["patients"][0]["risk_flags"].as_array().unwrap().is_empty(), "flagged in the app");
        let centre: Value = app.api_get(&token, "/api/v1/me/notifications").await.json().await.unwrap();
        assert_eq!(centre["urgent"][0]["case_code"], "C-anna");

        work_until(&app, app.state.clock.now() + Duration::days(2)).await;
        let to_therapist = smtp.messages().into_iter().filter(|m| header(m, "To") == Some(therapist.as_str())).count();
        assert_eq!(to_therapist, 1, "in-app only: the ordinary activity is never e-mailed");
        let centre: Value = app.api_get(&token, "/api/v1/me/notifications").await.json().await.unwrap();
        assert_eq!(centre["digests"][0]["status"], "shown");
        // The booster tips reach a therapist who takes no e-mail: today's, in the centre.
        let me: Value = app.api_get(&token, "/api/v1/me").await.json().await.unwrap();
        let id = me["id"].as_str().unwrap_or_default().to_string();
        let expected = icbt::digests::delivery::tip_of_the_day(&app.state.content, &id, app.state.clock.now()).unwrap();
        assert_eq!(centre["tip"]["id"], expected.id.as_str(), "{centre}");
        let browser = app.browser_login(&therapist).await;
        let page = browser.get(app.url("/notifications")).send().await.unwrap().text().await.unwrap();
        let seen = crate::support::visible_text(&page);
        assert!(seen.contains(&format!("Tip of the day: {}", expected.title)) && seen.contains(&expected.text), "{seen}");
    }
);

smtp_test!(
    ["clock.start" => MONDAY],
    async fn digests_wait_for_smtp_and_go_out_once(app: TestApp, port: u16) {
        let clinic = app.clinic("North").await;
        let therapist = clinic.therapist.email.clone();
        let anna = app.patient(&therapist, "anna@north.test", "chronic-pain").await;
        let today = icbt::diaries::service::today(&app.state).to_string();
        diary(&app, &anna, "pain-level-diary", &today).await;
        // SMTP is down through the morning the digest is due.
        work_until(&app, instant("2026-03-03T09:00:00Z")).await;
        let (outbox, _) = icbt::mail::outbox::list(&app.state.db, None, 1).await.unwrap();
        let digest = outbox.iter().find(|m| m.kind == MailKind::Digest).expect("composed while SMTP was down");
        assert_eq!(digest.status, MailStatus::Pending);
        assert!(digest.attempts >= 1);

        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        work_until(&app, instant("2026-03-04T09:00:00Z")).await;
        assert_eq!(digests_to(&smtp, &therapist).len(), 1, "delivered once SMTP is back, and only once");
        // The therapist opens the record before the next digest: nothing to repeat.
        diary(&app, &anna, "pain-activity-diary", &icbt::diaries::service::today(&app.state).to_string()).await;
        let browser = app.browser_login(&therapist).await;
        browser.get(app.url(&format!("/patients/{}", anna.id))).send().await.unwrap();
        work_until(&app, instant("2026-03-06T09:00:00Z")).await;
        assert_eq!(digests_to(&smtp, &therapist).len(), 1, "a digest of what was already seen is suppressed");
    }
);

/// When each daily digest was due, across a daylight-saving change.
async fn daily_windows_from(app: &TestApp, smtp: &SmtpServer, days: i64) -> Vec<String> {
    let clinic = app.clinic("North").await;
    let therapist = clinic.therapist.email.clone();
    let anna = app.patient(&therapist, "anna@north.test", "chronic-pain").await;
    let start = app.state.clock.now();
    for day in 0..days {
        let today = icbt::diaries::service::today(&app.state).to_string();
        diary(app, &anna, "pain-level-diary", &today).await;
        work_until(app, start + Duration::days(day + 1)).await;
    }
    assert_eq!(digests_to(smtp, &therapist).len(), days as usize, "one a day: none skipped, none doubled");
    let token = app.token(&therapist).await;
    let centre: Value = app.api_get(&token, "/api/v1/me/notifications").await.json().await.unwrap();
    let mut windows: Vec<String> = centre["digests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["due_at"].as_str().unwrap().to_string())
        .collect();
    windows.sort();
    windows
}

smtp_test!(
    ["clock.start" => "2026-03-27T11:00:00Z"],
    async fn daily_digests_keep_local_time_when_summer_time_starts(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let windows = daily_windows_from(&app, &smtp, 4).await;
        assert_eq!(
            windows,
            ["2026-03-28T07:00:00Z", "2026-03-29T06:00:00Z", "2026-03-30T06:00:00Z", "2026-03-31T06:00:00Z"],
            "08:00 in Amsterdam every day"
        );
    }
);

smtp_test!(
    ["clock.start" => "2026-10-23T11:00:00Z"],
    async fn daily_digests_keep_local_time_when_summer_time_ends(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let windows = daily_windows_from(&app, &smtp, 4).await;
        assert_eq!(
            windows,
            ["2026-10-24T06:00:00Z", "2026-10-25T07:00:00Z", "2026-10-26T07:00:00Z", "2026-10-27T07:00:00Z"],
            "08:00 in Amsterdam every day"
        );
    }
);

pub(crate) fn to_patient(smtp: &SmtpServer, patient: &Patient, subject: &str) -> Vec<String> {
    smtp.messages()
        .into_iter()
        .filter(|m| header(m, "To") == Some(patient.email.as_str()) && header(m, "Subject") == Some(subject))
        .collect()
}

smtp_test!(
    ["clock.start" => MONDAY],
    async fn patients_get_one_content_free_notice_a_day(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = app.clinic("North").await;
        let therapist = app.token(&clinic.therapist.email).await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let feedback = format!("/api/v1/patients/{}/feedback", anna.id);
        let sent = app.api_post(&therapist, &feedback, json!({"body": CANARY})).await;
        assert_eq!(sent.status(), StatusCode::CREATED);
        let module = format!("/api/v1/patients/{}/modules/understanding-pain", anna.id);
        let opened =
            app.client.patch(app.url(&module)).bearer_auth(&therapist).json(&json!({"state": "open"})).send().await;
        assert_eq!(opened.unwrap().status(), StatusCode::OK);
        work_until(&app, instant("2026-03-02T15:00:00Z")).await;
        let notices = to_patient(&smtp, &anna, "icbt: something new for you");
        assert_eq!(notices.len(), 1, "a message and a module on one day: one e-mail");
        let body = decoded_body(&notices[0]);
        assert!(body.contains("new message") && body.contains("new module"), "{body}");

        // More feedback the same evening waits until a day has passed.
        app.api_post(&therapist, &feedback, json!({"body": CANARY})).await;
        work_until(&app, instant("2026-03-03T08:00:00Z")).await;
        assert_eq!(to_patient(&smtp, &anna, "icbt: something new for you").len(), 1);
        work_until(&app, instant("2026-03-03T12:00:00Z")).await;
        let notices = to_patient(&smtp, &anna, "icbt: something new for you");
        assert_eq!(notices.len(), 2, "the next day");
        // The maildir does not keep the order: the module is in exactly one.
        let bodies: Vec<String> = notices.iter().map(|m| decoded_body(m)).collect();
        assert!(bodies.iter().all(|b| b.contains("new message")));
        assert_eq!(bodies.iter().filter(|b| b.contains("new module")).count(), 1, "{bodies:?}");
        assert_no_content(&smtp);
    }
);

smtp_test!(
    ["clock.start" => MONDAY],
    async fn diary_reminders_stop_after_three_unanswered(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let bad = app
            .client
            .put(app.url("/api/v1/me/diary-reminder"))
            .bearer_auth(&anna.token)
            .json(&json!({"enabled": true, "local_time": "8pm"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = bad.json().await.unwrap();
        assert!(problem["errors"]["local_time"].is_array(), "{problem}");
        let set = app
            .client
            .put(app.url("/api/v1/me/diary-reminder"))
            .bearer_auth(&anna.token)
            .json(&json!({"enabled": true, "local_time": "20:00"}))
            .send()
            .await
            .unwrap();
        assert_eq!(set.status(), StatusCode::OK);
        let subject = "icbt: a reminder for your diary";

        // Monday: a diary entry before 20:00, so no reminder.
        diary(&app, &anna, "pain-level-diary", &icbt::diaries::service::today(&app.state).to_string()).await;
        work_until(&app, instant("2026-03-02T22:00:00Z")).await;
        assert_eq!(to_patient(&smtp, &anna, subject).len(), 0, "written today: no reminder");
        // Five quiet days: three reminders, then they pause.
        work_until(&app, instant("2026-03-07T22:00:00Z")).await;
        let reminders = to_patient(&smtp, &anna, subject);
        assert_eq!(reminders.len(), 3, "no more than three unanswered in a row");
        assert!(reminders.iter().all(|m| header(m, "Date").is_some()));
        // Writing again starts them again.
        diary(&app, &anna, "pain-level-diary", &icbt::diaries::service::today(&app.state).to_string()).await;
        work_until(&app, instant("2026-03-09T22:00:00Z")).await;
        assert_eq!(to_patient(&smtp, &anna, subject).len(), 5, "they start again: Sunday and Monday");
    }
);

/// `icbt digest run --now AT` against the test's database and SMTP server.
fn digest_run(app: &TestApp, port: u16, at: &str) -> std::process::Command {
    let mut command = crate::support::binary::icbt(app.dir.path());
    command
        .env("ICBT__DATABASE__URL", &app.state.settings.database.url)
        .env("ICBT__SERVER__PUBLIC_URL", &app.base)
        .env("ICBT__MAIL__TRANSPORT", "smtp")
        .env("ICBT__MAIL__SMTP_PORT", port.to_string())
        .env("ICBT__DIGESTS__LEASE_SECONDS", "60")
        .args(["digest", "run", "--now", at]);
    command
}

fn run_and_report(mut command: std::process::Command) -> String {
    let output = command.output().expect("icbt digest run");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

smtp_test!(
    ["clock.start" => MONDAY],
    async fn a_worker_killed_after_its_claim_is_replaced_after_the_lease(app: TestApp, port: u16) {
        use sea_orm::EntityTrait;
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        diary(&app, &anna, "pain-level-diary", &icbt::diaries::service::today(&app.state).to_string()).await;

        let mut doomed = digest_run(&app, port, "2026-03-03T07:30:00Z");
        let mut doomed = doomed
            .env("ICBT__DIGESTS__PAUSE_AFTER_CLAIM_MS", "60000")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let rows = icbt::entities::digests::Entity::find().all(&app.state.db).await.unwrap();
            if rows.iter().any(|d| d.lease_owner.is_some()) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the worker never claimed the digest");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        doomed.kill().expect("SIGKILL");
        doomed.wait().unwrap();

        let during = run_and_report(digest_run(&app, port, "2026-03-03T07:30:30Z"));
        assert!(during.contains(": 0 digest e-mails"), "the lease still holds: {during}");
        let after = run_and_report(digest_run(&app, port, "2026-03-03T07:35:00Z"));
        assert!(after.contains(": 1 digest e-mails"), "taken over after the lease: {after}");
        run_and_report(digest_run(&app, port, "2026-03-03T08:30:00Z"));
        assert_eq!(digests_to(&smtp, &clinic.therapist.email).len(), 1, "sent once");
    }
);

/// `patients` patients of one therapist, each with a digest due on Tuesday
/// morning; the invitations are marked sent, since they are not what the
/// callers count.
async fn due_digests(app: &TestApp, patients: usize) -> crate::support::accounts::Clinic {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let clinic = app.clinic("North").await;
    let token = app.token(&clinic.therapist.email).await;
    for n in 0..patients {
        let enrolled = app
            .api_post(
                &token,
                "/api/v1/patients",
                json!({"email": format!("p{n:04}@north.test"), "case_code": format!("C-{n:04}"),
                    "program": "chronic-pain", "feedback_cadence": "weekly", "feedback_weekday": "mon"}),
            )
            .await;
        assert_eq!(enrolled.status(), StatusCode::CREATED);
    }
    let now = app.state.clock.now();
    for enrollment in icbt::entities::enrollments::Entity::find().all(&app.state.db).await.unwrap() {
        icbt::digests::notify(
            &app.state.db,
            &enrollment,
            icbt::digests::NotificationKind::DiaryEntry,
            None,
            now,
        )
        .await
        .unwrap();
    }
    icbt::entities::mail_outbox::Entity::update_many()
        .col_expr(icbt::entities::mail_outbox::Column::Status, sea_orm::sea_query::Expr::value("sent"))
        .filter(icbt::entities::mail_outbox::Column::Kind.eq("invitation"))
        .exec(&app.state.db)
        .await
        .unwrap();
    clinic
}

fn message_ids(messages: &[String]) -> std::collections::HashSet<String> {
    messages.iter().map(|m| header(m, "Message-ID").unwrap().to_string()).collect()
}

smtp_test!(
    ["clock.start" => MONDAY],
    async fn a_digest_run_killed_while_mailing_leaves_nothing_undelivered(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = due_digests(&app, 120).await;
        let therapist = clinic.therapist.email.clone();
        let mut doomed = digest_run(&app, port, "2026-03-03T07:30:00Z")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while digests_to(&smtp, &therapist).len() < 30 {
            assert!(std::time::Instant::now() < deadline, "the run never got going");
            assert!(doomed.try_wait().unwrap().is_none(), "the run ended before it could be killed");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        doomed.kill().expect("SIGKILL");
        doomed.wait().unwrap();
        let at_kill = digests_to(&smtp, &therapist).len();
        assert!(at_kill < 120, "killed mid-delivery ({at_kill} of 120 sent)");

        // Once the leases of the killed run are over, the next run sends the rest.
        run_and_report(digest_run(&app, port, "2026-03-03T07:45:00Z"));
        let messages = digests_to(&smtp, &therapist);
        assert_eq!(message_ids(&messages).len(), 120, "every digest delivered");
        // A message the SMTP server took in the instant of the kill, before
        // it was marked sent, is sent again under the same Message-ID, which
        // mail clients show once: at most one per killed run.
        assert!(messages.len() <= 121, "{} messages for 120 digests", messages.len());
    }
);

/// Four `icbt digest run` processes on one PostgreSQL over 1,000 due digests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_on_postgres_send_a_thousand_digests_once() {
    let port = crate::support::smtp::free_port();
    let port_text = port.to_string();
    let overrides =
        [("mail.transport", "smtp"), ("mail.smtp_port", port_text.as_str()), ("clock.start", MONDAY)];
    let Some(app) = TestApp::start_with(crate::support::Backend::Postgres, &overrides).await else { return };
    let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
    let clinic = due_digests(&app, 1000).await;

    let workers: Vec<_> = (0..4)
        .map(|_| {
            digest_run(&app, port, "2026-03-03T07:30:00Z")
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut emailed = 0;
    for worker in workers {
        let output = worker.wait_with_output().unwrap();
        assert!(output.status.success());
        let report = String::from_utf8_lossy(&output.stdout).into_owned();
        let count: usize =
            report.split(": ").nth(1).and_then(|s| s.split(' ').next()).unwrap().parse().unwrap();
        emailed += count;
    }
    assert_eq!(emailed, 1000, "every digest composed by exactly one worker");
    let messages = digests_to(&smtp, &clinic.therapist.email);
    assert_eq!((messages.len(), message_ids(&messages).len()), (1000, 1000), "no duplicates by Message-ID");
}

smtp_test!(
    ["clock.start" => MONDAY],
    async fn during_a_cover_the_digest_goes_to_the_colleague(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = app.clinic("North").await;
        let therapist = clinic.therapist.email.clone();
        let anna = app.patient(&therapist, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&therapist).await;
        let covered = app
            .submit_form(
                &browser,
                "/cover",
                "/cover",
                &[("cover", &clinic.colleague.email), ("starts_on", "2026-03-03"), ("ends_on", "2026-03-03")],
            )
            .await;
        assert_eq!(covered.status(), StatusCode::SEE_OTHER);
        diary(&app, &anna, "pain-level-diary", "2026-03-02").await;
        work_until(&app, instant("2026-03-03T12:00:00Z")).await;
        assert_eq!(digests_to(&smtp, &therapist).len(), 0, "not to the therapist who is away");
        let covering = digests_to(&smtp, &clinic.colleague.email);
        assert_eq!(covering.len(), 1, "to the colleague who covers that day");
        assert!(decoded_body(&covering[0]).contains("You are covering for a colleague"));

        diary(&app, &anna, "pain-level-diary", "2026-03-03").await;
        work_until(&app, instant("2026-03-04T12:00:00Z")).await;
        assert_eq!(digests_to(&smtp, &therapist).len(), 1, "back to the therapist after the cover");
    }
);
