//! Feedback is an explicit act: a reply between feedback days is a message
//! that moves nothing, and each feedback day is met at most once, so the
//! on-time share can never pass 100 %.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;

fn move_to(app: &TestApp, at: &str) {
    let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
    app.state.clock.advance(at - app.state.clock.now());
}

async fn record_due(app: &TestApp) -> usize {
    let tz = app.state.settings.care.timezone;
    icbt::usage::feedback_due::record_due_feedback(&app.state.db, tz, app.state.clock.now()).await.unwrap()
}

async fn due_on(app: &TestApp, token: &str) -> Value {
    let caseload: Value = app.api_get(token, "/api/v1/caseload").await.json().await.unwrap();
    caseload["patients"][0]["feedback_due_on"].clone()
}

db_test!(
    ["clock.start" => "2026-03-02T07:00:00Z"],
    async fn a_reply_is_not_feedback_and_each_feedback_day_counts_once(app: TestApp) {
        // Monday 2 March 2026; weekly feedback on Thursday, first due 5 March.
        let north = app.clinic("North").await;
        let therapist = app.token(&north.therapist.email).await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        app.message_from(&anna.token, "Is it normal that the first week is hard?").await;
        assert_eq!(due_on(&app, &therapist).await, "2026-03-05");

        // A reply on the page: confirmed, shown to the patient as a message,
        // and the feedback day stays.
        move_to(&app, "2026-03-02T09:00:00Z");
        let browser = app.browser_login(&north.therapist.email).await;
        let record = format!("/patients/{}", anna.id);
        let form = [("body", "Yes, quite normal. Keep going."), ("intent", "reply")];
        let replied = app.submit_form(&browser, &record, &format!("{record}/feedback"), &form).await;
        assert_eq!(replied.status(), StatusCode::SEE_OTHER);
        let to = replied.headers()["location"].to_str().unwrap().to_string();
        let page = browser.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
        assert!(
            crate::support::visible_text(&page).contains("Your reply is sent. It does not count as feedback"),
            "{to}"
        );
        assert_eq!(due_on(&app, &therapist).await, "2026-03-05", "a reply moves nothing");
        let thread: Value = app.api_get(&anna.token, "/api/v1/me/messages").await.json().await.unwrap();
        let last = thread["messages"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["body"].clone(), last["is_feedback"].clone()), (json!("Yes, quite normal. Keep going."), json!(false)));
        let api_reply = app
            .api_post(&therapist, &format!("/api/v1/patients/{}/messages", anna.id), json!({"body": "And rest."}))
            .await;
        assert_eq!(api_reply.status(), StatusCode::CREATED);

        // Tuesday: feedback for Thursday, early; Wednesday: more feedback,
        // which does not meet next week's day as well.
        move_to(&app, "2026-03-03T09:00:00Z");
        app.send_feedback(&therapist, &anna.id, "Good start.").await;
        assert_eq!(due_on(&app, &therapist).await, "2026-03-12", "Thursday's feedback is given");
        move_to(&app, "2026-03-04T09:00:00Z");
        app.send_feedback(&therapist, &anna.id, "One more thought.").await;
        assert_eq!(due_on(&app, &therapist).await, "2026-03-12");
        move_to(&app, "2026-03-05T08:00:00Z");
        assert_eq!(record_due(&app).await, 0, "5 March was met early and is already counted");

        // 12 March passes without feedback; it comes a day late.
        move_to(&app, "2026-03-12T08:00:00Z");
        assert_eq!(record_due(&app).await, 1);
        move_to(&app, "2026-03-13T09:00:00Z");
        app.send_feedback(&therapist, &anna.id, "Sorry this is late.").await;
        assert_eq!(due_on(&app, &therapist).await, "2026-03-19");

        // 19 March: recorded due in the morning, met the same day.
        move_to(&app, "2026-03-19T08:00:00Z");
        assert_eq!(record_due(&app).await, 1);
        move_to(&app, "2026-03-19T09:00:00Z");
        app.send_feedback(&therapist, &anna.id, "Well done this week.").await;

        app.state.clock.advance(Duration::minutes(1));
        let tz = app.state.settings.care.timezone;
        icbt::usage::rollups::catch_up(&app.state.db, tz, app.state.clock.now()).await.unwrap();
        let mine: Value =
            app.api_get(&therapist, "/api/v1/me/figures?from=2026-03-02&to=2026-03-19").await.json().await.unwrap();
        let fidelity = &mine["fidelity"];
        assert_eq!(fidelity["feedback_due"], 3, "5, 12 and 19 March: {fidelity}");
        assert_eq!(fidelity["feedback_given"], 4, "replies are not feedback");
        assert_eq!(fidelity["feedback_on_time"], 2, "5 and 19 March");
        assert_eq!(fidelity["feedback_on_time_percent"], 66.7);
    }
);
