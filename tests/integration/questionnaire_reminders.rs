//! Questionnaires that fall due reach the patient: a content-free notice,
//! one reminder three days later, and after a week a reason on the caseload.
//! The due dates of every assessment (baseline, mid, end, follow-up) follow
//! the treatment as it goes, over a real SMTP server and a moving clock.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::digests::{instant, to_patient, work_until};
use crate::support::{care::Patient, smtp::decoded_body, smtp::SmtpServer, TestApp};

const SUBJECT: &str = "icbt: something new for you";
const READY: &str = "A short questionnaire is ready for you.";

/// The patient's notices that speak of a questionnaire (a quiet patient also
/// gets "your program is waiting").
fn questionnaire_notices(smtp: &SmtpServer, patient: &Patient) -> usize {
    to_patient(smtp, patient, SUBJECT).iter().filter(|m| decoded_body(m).contains(READY)).count()
}

/// The assessments due for the patient, with when each fell due (a fresh
/// token each time: the clock jumps weeks).
async fn due(app: &TestApp, patient: &Patient) -> Vec<(String, String, DateTime<Utc>)> {
    let token = app.token(&patient.email).await;
    let list: Value = app.api_get(&token, "/api/v1/me/questionnaires").await.json().await.unwrap();
    list["questionnaires"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let since: DateTime<Utc> = q["due_since"].as_str().unwrap().parse().unwrap();
            (q["due"].as_str().unwrap().to_string(), q["id"].as_str().unwrap().to_string(), since)
        })
        .collect()
}

/// The same instant as stored (databases keep microseconds).
fn same(a: DateTime<Utc>, b: DateTime<Utc>) -> bool {
    (a - b).num_milliseconds().abs() < 1
}

async fn overdue(app: &TestApp, therapist: &str) -> Value {
    let caseload: Value = app.api_get(therapist, "/api/v1/caseload").await.json().await.unwrap();
    caseload["patients"][0]["questionnaires_overdue"].clone()
}

smtp_test!(
    ["clock.start" => "2026-03-02T07:00:00Z"],
    async fn due_questionnaires_are_told_reminded_once_and_overdue_after_a_week(app: TestApp, port: u16) {
        let smtp = SmtpServer::start(port, &app.dir.path().join("maildir")).await;
        let clinic = app.clinic("North").await;
        let therapist = app.token(&clinic.therapist.email).await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let enrolled = app.state.clock.now();

        // Baseline: due from the start, all three instruments.
        let baseline = due(&app, &anna).await;
        let ids: Vec<&str> = baseline.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(ids, ["phq-9", "gad-7", "pain-nrs"]);
        assert!(baseline.iter().all(|(when, _, since)| when == "baseline" && (*since - enrolled).num_seconds().abs() < 5));

        // The first day's notice names no questionnaire; the reminder comes
        // three days later, once.
        work_until(&app, instant("2026-03-02T20:00:00Z")).await;
        let notices = to_patient(&smtp, &anna, SUBJECT);
        assert_eq!(notices.len(), 1);
        let body = decoded_body(&notices[0]);
        assert!(body.contains("A short questionnaire is ready for you."), "{body}");
        assert!(!body.contains("PHQ") && !body.contains("Pain rating"), "no questionnaire named: {body}");
        work_until(&app, instant("2026-03-04T20:00:00Z")).await;
        assert_eq!(questionnaire_notices(&smtp, &anna), 1, "no reminder before three days");
        work_until(&app, instant("2026-03-05T20:00:00Z")).await;
        assert_eq!(questionnaire_notices(&smtp, &anna), 2, "the reminder on day three");
        assert_eq!(overdue(&app, &therapist).await, serde_json::json!([]));
        work_until(&app, instant("2026-03-09T20:00:00Z")).await;
        assert_eq!(questionnaire_notices(&smtp, &anna), 2, "one reminder only");
        assert_eq!(overdue(&app, &therapist).await, serde_json::json!(["baseline"]), "a week on: overdue");
        let caseload = app.browser_login(&clinic.therapist.email).await;
        let page = caseload.get(app.url("/caseload")).send().await.unwrap().text().await.unwrap();
        assert!(crate::support::visible_text(&page).contains("Questionnaires overdue (start)"), "{page}");

        app.answer_phq9(&anna.token, 1, 0).await;
        assert_eq!(overdue(&app, &therapist).await, serde_json::json!(["baseline"]), "two still open");
        for (id, answers) in [
            ("gad-7", (1..=7).map(|n| (format!("gad7-{n}"), serde_json::json!(1))).collect::<serde_json::Map<_, _>>()),
            ("pain-nrs", [("pain-nrs-1".to_string(), serde_json::json!(6))].into_iter().collect()),
        ] {
            let path = format!("/api/v1/me/questionnaires/{id}/responses");
            let answered = app.api_post(&anna.token, &path, serde_json::json!({ "answers": answers })).await;
            assert_eq!(answered.status(), reqwest::StatusCode::CREATED, "{id}");
        }
        assert_eq!(overdue(&app, &therapist).await, serde_json::json!([]), "answered: no longer overdue");

        // Mid: when the pacing module is completed.
        app.state.clock.advance(Duration::days(2));
        let completed = app.state.clock.now();
        let pacing = icbt::progress::service::ModuleState::Completed;
        icbt::progress::service::set_state(&app.state.db, &anna.id, "activity-and-pacing", pacing, completed)
            .await
            .unwrap();
        let mid = due(&app, &anna).await;
        assert_eq!(mid.iter().map(|(w, id, _)| (w.as_str(), id.as_str())).collect::<Vec<_>>(), [("mid", "phq-9"), ("mid", "pain-nrs")]);
        assert!(mid.iter().all(|(_, _, since)| same(*since, completed)), "{mid:?} {completed}");

        // End: when the last module is closed; follow-up twelve weeks later.
        app.state.clock.advance(Duration::days(8));
        let closed = app.state.clock.now();
        let modules: Vec<String> =
            app.state.content.program("chronic-pain").unwrap().modules.iter().map(|m| m.id.clone()).collect();
        for module in modules.iter().filter(|m| *m != "activity-and-pacing") {
            let state = icbt::progress::service::ModuleState::Skipped;
            icbt::progress::service::set_state(&app.state.db, &anna.id, module, state, closed).await.unwrap();
        }
        let end: Vec<_> = due(&app, &anna).await.into_iter().filter(|(w, _, _)| w == "end").collect();
        assert_eq!(end.len(), 3, "{end:?}");
        assert!(end.iter().all(|(_, _, since)| same(*since, closed)), "{end:?}");
        app.state.clock.advance(Duration::weeks(12) - Duration::hours(1));
        assert!(due(&app, &anna).await.iter().all(|(w, _, _)| w != "follow-up"), "not before twelve weeks");
        app.state.clock.advance(Duration::hours(2));
        let follow_up: Vec<_> = due(&app, &anna).await.into_iter().filter(|(w, _, _)| w == "follow-up").collect();
        assert_eq!(follow_up.len(), 3);
        assert!(follow_up.iter().all(|(_, _, since)| same(*since, closed + Duration::weeks(12))), "{follow_up:?}");
    }
);
