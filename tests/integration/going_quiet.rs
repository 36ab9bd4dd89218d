//! Going quiet, against each patient's own rhythm: a daily patient is named
//! after the clinic's days, a weekly one not before twice their usual gap;
//! the patient gets one content-free nudge a week, three in a row at most,
//! and counting starts again once they are back. Drop-out timing in the
//! report is the same moment: the last activity.

use chrono::Duration;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{care::Patient, TestApp};

async fn diary_today(app: &TestApp, patient: &Patient) {
    let token = app.token(&patient.email).await;
    let today = icbt::diaries::service::today(&app.state).to_string();
    let body = json!({"date": today, "values": {"pain": 4, "interference": 3}});
    let saved = app.api_post(&token, "/api/v1/me/diaries/pain-level-diary/entries", body).await;
    assert_eq!(saved.status(), StatusCode::CREATED);
}

/// A day passes: the worker's daily jobs run.
async fn next_day(app: &TestApp) {
    app.state.clock.advance(Duration::days(1));
    let (now, tz) = (app.state.clock.now(), app.state.settings.care.timezone);
    icbt::usage::rollups::catch_up(&app.state.db, tz, now).await.unwrap();
    icbt::care_flags::going_quiet::send_waiting_notices(&app.state, now).await.unwrap();
    icbt::digests::patient_notices::send_due_notices(&app.state, "test-worker", now).await.unwrap();
}

async fn quiet(app: &TestApp, therapist_email: &str) -> Vec<(String, Value)> {
    let token = app.token(therapist_email).await;
    let caseload: Value = app.api_get(&token, "/api/v1/caseload").await.json().await.unwrap();
    caseload["patients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["inactive"] == true)
        .map(|p| (p["case_code"].as_str().unwrap().to_string(), p["quiet"].clone()))
        .collect()
}

async fn nudges(app: &TestApp, patient: &Patient) -> usize {
    let mails = icbt::entities::mail_outbox::Entity::find()
        .filter(icbt::entities::mail_outbox::Column::ToAddress.eq(patient.email.as_str()))
        .all(&app.state.db)
        .await
        .unwrap();
    mails.iter().filter(|m| m.body_text.contains("Your program is waiting for you")).count()
}

db_test!(
    ["clock.start" => "2026-03-02T07:00:00Z"],
    async fn a_patient_goes_quiet_against_their_own_rhythm(app: TestApp) {
        let north = app.clinic("North").await;
        let admin = app.browser_login(&app.admin().await.email).await;
        let clinic_page = format!("/admin/clinics/{}", north.clinic.id);
        let action = format!("{clinic_page}/quiet-days");
        let refused = app.submit_form(&admin, &clinic_page, &action, &[("quiet_after_days", "0")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("Enter a number of days from 1 to 60"));
        let saved = app.submit_form(&admin, &clinic_page, &action, &[("quiet_after_days", "3")]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        let dana = app.patient(&north.therapist.email, "dana@north.test", "chronic-pain").await;
        let wim = app.patient(&north.therapist.email, "wim@north.test", "chronic-pain").await;
        // Dana works every day for two weeks; Wim once a week.
        for day in 0..=14 {
            diary_today(&app, &dana).await;
            if day % 7 == 0 {
                diary_today(&app, &wim).await;
            }
            next_day(&app).await;
        }
        // Day 15, 16: one and two days without; day 17: three.
        next_day(&app).await;
        assert!(quiet(&app, &north.therapist.email).await.is_empty(), "two days is not quiet yet");
        next_day(&app).await;
        let named = quiet(&app, &north.therapist.email).await;
        assert_eq!(named, [("C-dana".to_string(), json!({"days": 3, "usual_gap_days": 1}))], "Wim is weekly");
        assert_eq!(nudges(&app, &dana).await, 1, "the first nudge");
        let browser = app.browser_login(&north.therapist.email).await;
        let page = browser.get(app.url("/caseload")).send().await.unwrap().text().await.unwrap();
        assert!(crate::support::visible_text(&page).contains("Gone quiet: 3 days (usually every day)"), "{page}");
        let record = browser.get(app.url(&format!("/patients/{}", dana.id))).send().await.unwrap().text().await.unwrap();
        crate::support::browser::assert_in_order(
            &crate::support::visible_text(&record),
            &["Gone quiet: 3 days (usually every day)", "A short personal message or a phone call", "one content-free reminder"],
        );

        // Wim is named only after more than twice his week.
        for _ in 17..28 {
            next_day(&app).await;
        }
        assert!(!quiet(&app, &north.therapist.email).await.iter().any(|(code, _)| code == "C-wim"), "day 14 of his gap");
        next_day(&app).await;
        let wim_quiet = quiet(&app, &north.therapist.email).await;
        let wim_quiet = wim_quiet.iter().find(|(code, _)| code == "C-wim").unwrap();
        assert_eq!(wim_quiet.1, json!({"days": 15, "usual_gap_days": 7}));

        // Dana: nudged on days 17, 24 and 31, then no more.
        for _ in 29..45 {
            next_day(&app).await;
        }
        assert_eq!(nudges(&app, &dana).await, 3, "three in a row at most");
        // She comes back on day 45; quiet again three days later, nudged again.
        diary_today(&app, &dana).await;
        for _ in 45..48 {
            next_day(&app).await;
        }
        assert_eq!(nudges(&app, &dana).await, 4, "back and quiet again: counting starts again");

        // Dropped out now: in the report, when she was last active (week 6).
        let browser = app.browser_login(&north.therapist.email).await;
        let record = format!("/patients/{}", dana.id);
        let form = [("status", "dropped_out"), ("reason", "No longer reachable")];
        let dropped = app.submit_form(&browser, &record, &format!("{record}/status"), &form).await;
        assert_eq!(dropped.status(), StatusCode::SEE_OTHER);
        next_day(&app).await;
        let therapist = app.token(&north.therapist.email).await;
        let mine: Value = app.api_get(&therapist, "/api/v1/me/figures").await.json().await.unwrap();
        let weeks = mine["engagement"]["drop_out_by_week"].as_array().unwrap();
        let six = weeks.iter().find(|w| w["when"] == "6-8").unwrap();
        assert_eq!(six["patients"], 1, "{weeks:?}");
    }
);
