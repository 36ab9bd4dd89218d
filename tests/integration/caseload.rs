//! The caseload: counts move with patient activity and return to zero after
//! feedback; due dates follow the cadence as weeks pass; risk comes first.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn caseload(app: &crate::support::TestApp, token: &str) -> Vec<Value> {
    let body: Value = app.api_get(token, "/api/v1/caseload").await.json().await.unwrap();
    body["patients"].as_array().unwrap().clone()
}

db_test!(
    async fn counts_follow_activity_and_clear_after_feedback(app: TestApp) {
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let therapist = app.token(&clinic.therapist.email).await;
        let rows = caseload(&app, &therapist).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0]["new_diary_entries"].as_u64(), rows[0]["unanswered_messages"].as_u64()),
            (Some(0), Some(0))
        );

        let today = icbt::diaries::service::today(&app.state);
        for date in [today, today - Duration::days(1)] {
            let entry = json!({"date": date.to_string(), "values": {"pain": 4, "interference": 2}});
            app.api_post(&anna.token, "/api/v1/me/diaries/pain-level-diary/entries", entry).await;
        }
        app.api_post(&anna.token, "/api/v1/me/messages", json!({"body": "A question about pacing"})).await;
        let row = &caseload(&app, &therapist).await[0];
        assert_eq!(row["new_diary_entries"], 2);
        assert_eq!(row["unanswered_messages"], 1);
        assert_eq!(row["current_module"], "Your goals");

        app.send_feedback(&therapist, &anna.id, "Thank you, Anna.").await;
        let row = &caseload(&app, &therapist).await[0];
        assert_eq!(
            (row["new_diary_entries"].as_u64(), row["unanswered_messages"].as_u64()),
            (Some(0), Some(0))
        );

        // Managers, patients and other therapists see no caseload of hers.
        let colleague = app.token(&clinic.colleague.email).await;
        assert!(caseload(&app, &colleague).await.is_empty());
        let manager = app.token(&clinic.manager.email).await;
        assert_eq!(app.api_get(&manager, "/api/v1/caseload").await.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(
    async fn feedback_falls_due_weekly_or_fortnightly(app: TestApp) {
        let clinic = app.clinic("North").await;
        let weekly = app.patient(&clinic.therapist.email, "weekly@north.test", "chronic-pain").await;
        let therapist = app.token(&clinic.therapist.email).await;
        let fortnightly_body = json!({
            "email": "fortnightly@north.test", "case_code": "F-1", "program": "chronic-fatigue",
            "feedback_cadence": "fortnightly", "feedback_weekday": "thu"
        });
        let enrolled: Value =
            app.api_post(&therapist, "/api/v1/patients", fortnightly_body).await.json().await.unwrap();
        let fortnightly_id = enrolled["id"].as_str().unwrap().to_string();
        let find = |rows: &[Value], id: &str| rows.iter().find(|r| r["id"] == id).cloned().unwrap();

        let rows = caseload(&app, &therapist).await;
        let first_due = find(&rows, &weekly.id)["feedback_due_on"].as_str().unwrap().to_string();
        let due_day = chrono::NaiveDate::parse_from_str(&first_due, "%Y-%m-%d").unwrap();
        assert_eq!(chrono::Datelike::weekday(&due_day), chrono::Weekday::Thu);
        assert!(!find(&rows, &weekly.id)["feedback_overdue"].as_bool().unwrap());

        // A week and a day later the weekly feedback is overdue and sorts first.
        app.state.clock.advance(Duration::days(8));
        let rows = caseload(&app, &therapist).await;
        assert!(find(&rows, &weekly.id)["feedback_overdue"].as_bool().unwrap());
        assert_eq!(rows[0]["id"], weekly.id.as_str());
        assert!(
            !find(&rows, &fortnightly_id)["feedback_overdue"].as_bool().unwrap(),
            "not started: never overdue"
        );

        // Feedback moves the due date a week on.
        app.api_post(
            &therapist,
            &format!("/api/v1/patients/{}/feedback", weekly.id),
            json!({"body": "Hello!"}),
        )
        .await;
        let rows = caseload(&app, &therapist).await;
        let next = find(&rows, &weekly.id);
        assert!(!next["feedback_overdue"].as_bool().unwrap());
        let next_due =
            chrono::NaiveDate::parse_from_str(next["feedback_due_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let today = icbt::diaries::service::today(&app.state);
        assert!(next_due > today && next_due <= today + Duration::days(7), "{next_due} after {today}");
    }
);

db_test!(
    async fn a_risk_answer_puts_the_patient_first(app: TestApp) {
        let clinic = app.clinic("North").await;
        let calm = app.patient(&clinic.therapist.email, "calm@north.test", "chronic-pain").await;
        let worried = app.patient(&clinic.therapist.email, "worried@north.test", "chronic-pain").await;
        app.api_post(&calm.token, "/api/v1/me/messages", json!({"body": "Hi"})).await;
        app.answer_phq9(&worried.token, 0, 1).await;
        let therapist = app.token(&clinic.therapist.email).await;
        let rows = caseload(&app, &therapist).await;
        assert_eq!(rows[0]["id"], worried.id.as_str());
        assert!(rows[0]["risk_flags"][0].as_str().unwrap().contains("item 9"));
        let browser = app.browser_login(&clinic.therapist.email).await;
        let html = browser.get(app.url("/caseload")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("C-worried") && html.contains("Risk"), "the caseload page shows it");
    }
);

db_test!(
    async fn a_risk_answer_is_a_banner_until_the_therapist_has_contacted_the_patient(app: TestApp) {
        use icbt::entities::audit_log;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let clinic = app.clinic("North").await;
        let calm = app.patient(&clinic.therapist.email, "calm@north.test", "chronic-pain").await;
        let worried = app.patient(&clinic.therapist.email, "worried@north.test", "chronic-pain").await;
        app.answer_phq9(&worried.token, 0, 2).await;
        app.message_from(&calm.token, "Hi").await;
        let therapist = app.token(&clinic.therapist.email).await;
        // Feedback is a message, not a contact: the risk stays open and first.
        app.send_feedback(&therapist, &worried.id, "Thank you for filling this in.").await;
        assert_eq!(caseload(&app, &therapist).await[0]["id"], worried.id.as_str());

        let browser = app.browser_login(&clinic.therapist.email).await;
        let record = format!("/patients/{}", worried.id);
        let html = browser.get(app.url(&record)).send().await.unwrap().text().await.unwrap();
        let banner = html.find("risk-banner").expect("a risk banner");
        assert!(banner < html.find("timeline-title").unwrap(), "the banner comes before the timeline");
        for seen in ["PHQ-9", "Thoughts that you would be better off dead", "More than half the days (2)"] {
            assert!(html[banner..].contains(seen), "the banner shows {seen}");
        }
        let risks: Value = app
            .api_get(&therapist, &format!("/api/v1/patients/{}/risks", worried.id))
            .await
            .json()
            .await
            .unwrap();
        let response_id = risks[0]["response_id"].as_str().unwrap().to_string();
        let action = format!("{record}/risks/{response_id}");

        // Without the tick and the note: refused, the typed note kept.
        let refused = app.submit_form(&browser, &record, &action, &[("note", " ")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("Tick the box once you have contacted the patient.")
                && html.contains("href=\"#risk-note\"")
        );
        assert_eq!(caseload(&app, &therapist).await[0]["id"], worried.id.as_str(), "still open");

        let note = "Phoned her; she is safe and has seen her GP today.";
        let handled =
            app.submit_form(&browser, &record, &action, &[("contacted", "yes"), ("note", note)]).await;
        assert_eq!(handled.status(), StatusCode::SEE_OTHER);
        let page = handled.headers()["location"].to_str().unwrap().to_string();
        let html = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("risk-banner"), "the banner is gone");
        assert!(html.contains("The risk answer is marked as handled."), "confirmed");
        assert!(html.contains("risk answer handled") && html.contains(note), "on the timeline with the note");
        let rows = caseload(&app, &therapist).await;
        assert!(rows.iter().all(|r| r["risk_flags"].as_array().unwrap().is_empty()), "the flag is cleared");
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("patient.risk_handled"))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(audited.len(), 1);
        assert!(
            !audited[0].detail.as_deref().unwrap_or_default().contains("GP"),
            "the note is not in the audit log"
        );
        // Handled once: again is not found.
        let again = app
            .api_post(
                &therapist,
                &format!("/api/v1/patients/{}/risks/{response_id}/handling", worried.id),
                json!({"contacted": true, "note": "again"}),
            )
            .await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
    }
);
