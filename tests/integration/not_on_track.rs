//! Not on track in weeks 3–4: a patient whose diary is still high and not
//! reliably better than at baseline is flagged (not before week 3), named on
//! the caseload with a banner on the record that says why, until the
//! therapist records the extra support given.

use chrono::Duration;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::support::{browser::Browser, care::Patient, visible_text, Backend, TestApp};

async fn diary(app: &TestApp, patient: &Patient, pain: i64) {
    let token = app.token(&patient.email).await;
    let today = icbt::diaries::service::today(&app.state).to_string();
    let body = json!({"date": today, "values": {"pain": pain, "interference": 3}});
    let saved = app.api_post(&token, "/api/v1/me/diaries/pain-level-diary/entries", body).await;
    assert_eq!(saved.status(), StatusCode::CREATED);
}

async fn baseline_pain(app: &TestApp, patient: &Patient, score: i64) {
    let body = json!({"answers": {"pain-nrs-1": score}});
    let answered = app.api_post(&patient.token, "/api/v1/me/questionnaires/pain-nrs/responses", body).await;
    assert_eq!(answered.status(), StatusCode::CREATED);
}

async fn classify(app: &TestApp) -> usize {
    icbt::care_flags::not_on_track::classify_once_a_day(&app.state, app.state.clock.now()).await.unwrap()
}

async fn flags(app: &TestApp, therapist_email: &str, patient: &Patient) -> Vec<Value> {
    let token = app.token(therapist_email).await;
    app.api_get(&token, &format!("/api/v1/patients/{}/flags", patient.id)).await.json().await.unwrap()
}

/// Anna stays at 6 against a baseline of 7; Bob falls to 4. Both write a
/// diary every day of their second and third week; the rule runs daily.
/// Returns them at the first day of week 3, after its classification.
async fn two_patients_into_week_three(app: &TestApp, therapist_email: &str) -> (Patient, Patient) {
    let anna = app.patient(therapist_email, "anna@north.test", "chronic-pain").await;
    let bob = app.patient(therapist_email, "bob@north.test", "chronic-pain").await;
    baseline_pain(app, &anna, 7).await;
    baseline_pain(app, &bob, 7).await;
    app.state.clock.advance(Duration::days(7));
    for day in 7..=14 {
        diary(app, &anna, 6).await;
        diary(app, &bob, 4).await;
        let flagged = classify(app).await;
        assert_eq!(flagged, usize::from(day == 14), "day {day}: flagged only in week 3");
        if day < 14 {
            app.state.clock.advance(Duration::days(1));
        }
    }
    (anna, bob)
}

db_test!(
    ["clock.start" => "2026-03-02T07:00:00Z"],
    async fn a_patient_not_on_track_in_week_three_is_flagged_until_supported(app: TestApp) {
        let north = app.clinic("North").await;
        let email = north.therapist.email.clone();
        let (anna, bob) = two_patients_into_week_three(&app, &email).await;
        assert!(flags(&app, &email, &bob).await.is_empty(), "4 against 7 is reliably better");
        let flag = flags(&app, &email, &anna).await;
        assert_eq!(flag.len(), 1);
        assert_eq!(flag[0]["kind"], "not_on_track");
        assert_eq!(
            flag[0]["detail"],
            json!({"week": 3, "baseline": 7, "recent_mean": 6.0, "entries": 7, "diary": "Pain diary", "reliable_change": 2})
        );

        // The next digest says how many, never who or why.
        crate::digests::work_until(&app, app.state.clock.now() + Duration::days(1)).await;
        let mails = icbt::entities::mail_outbox::Entity::find().all(&app.state.db).await.unwrap();
        let digest = mails.iter().find(|m| m.to_address == email && m.body_text.contains("may need extra support"));
        let digest = digest.unwrap_or_else(|| panic!("no digest line in {:?}", mails.iter().map(|m| &m.body_text).collect::<Vec<_>>()));
        assert!(digest.body_text.contains("1 patient may need extra support: see the caseload."));
        assert!(!digest.body_text.contains("Pain diary") && !digest.body_text.contains("averaged"), "no diary, no scores");

        let token = app.token(&email).await;
        let caseload: Value = app.api_get(&token, "/api/v1/caseload").await.json().await.unwrap();
        let row = |id: &str| caseload["patients"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
        assert_eq!(row(&anna.id)["care_flags"], json!(["not_on_track"]));
        assert_eq!(row(&bob.id)["care_flags"], json!([]));

        let browser = app.browser_login(&email).await;
        let record = format!("/patients/{}", anna.id);
        let page = visible_text(&browser.get(app.url(&record)).send().await.unwrap().text().await.unwrap());
        crate::support::browser::assert_in_order(
            &page,
            &[
                "Not on track in week 3: this patient may need extra support",
                "The Pain diary averaged 6 over the last 7 entries, against 7 on the Pain rating (0–10) at the start",
                "Consider an extra message this week, or a short phone or video call",
            ],
        );
        let flag_id = flag[0]["id"].as_str().unwrap();
        let wrong = app
            .api_post(
                &token,
                &format!("/api/v1/patients/{}/flags/{flag_id}/decision", anna.id),
                json!({"decision": "stepped_up", "reason": "Not this one"}),
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY, "a step-up is no answer to this flag");
        let action = format!("{record}/flags/{flag_id}");
        let empty = app.submit_form(&browser, &record, &action, &[("decision", "extra_support"), ("reason", "")]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let form = [("decision", "extra_support"), ("reason", "Phone call; agreed on a lighter diary.")];
        let done = app.submit_form(&browser, &record, &action, &form).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert!(flags(&app, &email, &anna).await.is_empty(), "resolved");
        let admin = app.token(&app.admin().await.email).await;
        let audit: Value =
            app.api_get(&admin, "/api/v1/audit?action=patient.extra_support_given").await.json().await.unwrap();
        assert_eq!(audit["entries"].as_array().unwrap().len(), 1, "{audit}");

        // Once per treatment: week 4 does not raise it again.
        app.state.clock.advance(Duration::days(1));
        diary(&app, &anna, 6).await;
        assert_eq!(classify(&app).await, 0);

        // Both finish: the report sets the flagged patient's end beside the rest.
        let token = app.token(&email).await;
        let modules: Vec<String> =
            app.state.content.program("chronic-pain").unwrap().modules.iter().map(|m| m.id.clone()).collect();
        for (patient, end) in [(&anna, 4), (&bob, 3)] {
            for module in &modules {
                let path = format!("/api/v1/patients/{}/modules/{module}", patient.id);
                let skip = app.client.patch(app.url(&path)).bearer_auth(&token).json(&json!({"state": "skipped"}));
                assert_eq!(skip.send().await.unwrap().status(), StatusCode::OK);
            }
            let own = app.token(&patient.email).await;
            let body = json!({"answers": {"pain-nrs-1": end}});
            let answered = app.api_post(&own, "/api/v1/me/questionnaires/pain-nrs/responses", body).await;
            assert_eq!(answered.status(), StatusCode::CREATED);
        }
        let mine: Value = app.api_get(&token, "/api/v1/me/figures").await.json().await.unwrap();
        assert_eq!(
            mine["outcomes"]["not_on_track"],
            json!({"flagged": 1, "supported_within_7_days": 1, "end_mean_flagged": 4.0, "end_mean_others": 3.0}),
            "{mine}"
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_therapist_sees_the_not_on_track_banner_and_records_extra_support() {
    let Some(mut browser) = Browser::start("not-on-track").await else { return };
    let app = TestApp::start_with(Backend::Sqlite, &[("clock.start", "2026-03-02T07:00:00Z")]).await.unwrap();
    let north = app.clinic("North").await;
    let (anna, _) = two_patients_into_week_three(&app, &north.therapist.email).await;
    browser.log_in(&app, &north.therapist.email).await;
    browser.visit(&app.url("/caseload"), "caseload").await;
    assert!(browser.text().await.contains("May need extra support"));
    browser.visit(&app.url(&format!("/patients/{}", anna.id)), "record-with-banner").await;
    assert!(browser.text().await.contains("Not on track in week 3: this patient may need extra support"));
    browser.fill("#flag-reason", "Phone call; agreed on a lighter diary.").await;
    browser.submit(".flag-banner button[type=submit]", "support-recorded").await;
    let after = browser.text().await;
    assert!(after.contains("The extra support is on the record; the flag is closed."), "{after}");
    assert!(!after.contains("Not on track in week 3"), "the banner is gone");
    browser.close().await;
}
