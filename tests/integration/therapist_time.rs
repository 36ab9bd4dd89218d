//! Therapist time from use: a scripted sequence of requests about one
//! patient, grouped into stretches (a gap over five minutes ends one), plus a
//! logged contact, per patient-week; suppressed in the manager's report.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

db_test!(
    ["clock.start" => "2026-03-02T07:00:00Z"],
    async fn minutes_per_patient_week_come_from_stretches_of_requests_and_contacts(app: TestApp) {
        let north = app.clinic("North").await;
        // Enrolling is a request about the patient: a stretch of one minute.
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        let therapist = app.token(&north.therapist.email).await;
        app.state.clock.advance(Duration::hours(1));
        // 0, 2 and 4 minutes: one stretch of 4 + 1.
        for minute in [0, 2, 2] {
            app.state.clock.advance(Duration::minutes(minute));
            let seen = app.api_get(&therapist, &format!("/api/v1/patients/{}", anna.id)).await;
            assert_eq!(seen.status(), StatusCode::OK);
        }
        // Ten minutes later: the record page and a 15-minute phone call,
        // a new stretch of one minute.
        app.state.clock.advance(Duration::minutes(10));
        let browser = app.browser_login(&north.therapist.email).await;
        let record = format!("/patients/{}", anna.id);
        let today = icbt::diaries::service::today(&app.state).to_string();
        let form = [("kind", "phone"), ("held_on", today.as_str()), ("minutes", "15"), ("note", "")];
        let logged = app.submit_form(&browser, &record, &format!("{record}/contacts"), &form).await;
        assert_eq!(logged.status(), StatusCode::SEE_OTHER);

        let mine: Value = app.api_get(&therapist, "/api/v1/me/figures").await.json().await.unwrap();
        assert_eq!(
            mine["fidelity"]["therapist_time"]["all"],
            json!({"patients": 1, "median": 22.0, "lower_quartile": 22.0, "upper_quartile": 22.0}),
            "1 + 5 + 1 + 15 minutes in one patient-week: {}",
            mine["fidelity"]["therapist_time"]
        );
        let page = browser.get(app.url("/my-figures")).send().await.unwrap().text().await.unwrap();
        assert!(crate::support::visible_text(&page).contains("22 minutes (middle half 22–22, over 1 patient)"), "{page}");

        let manager = app.token(&north.manager.email).await;
        let report: Value = app.api_get(&manager, "/api/v1/reports/uptake").await.json().await.unwrap();
        let time = &report["fidelity"]["therapist_time"];
        assert_eq!(time["all"]["patients"], Value::Null, "one patient: hidden");
        assert_eq!(time["all"]["median"], Value::Null);
    }
);
