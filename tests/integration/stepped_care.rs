//! The stepped-care flag: an end-of-treatment score at or above the
//! program's threshold is a reason on the caseload and a banner on the
//! record until the therapist steps the patient up or records why not; the
//! report counts both.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{visible_text, TestApp};

async fn flags(app: &TestApp, therapist: &str, patient_id: &str) -> Vec<Value> {
    let path = format!("/api/v1/patients/{patient_id}/flags");
    app.api_get(therapist, &path).await.json::<Vec<Value>>().await.unwrap()
}

db_test!(
    async fn an_end_score_above_the_threshold_asks_for_a_step_up_decision(app: TestApp) {
        let north = app.clinic("North").await;
        let therapist = app.token(&north.therapist.email).await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        let bram = app.patient(&north.therapist.email, "bram@north.test", "chronic-pain").await;
        let cleo = app.patient(&north.therapist.email, "cleo@north.test", "chronic-pain").await;
        app.finish_with_pain(&therapist, &anna, 8).await;
        app.finish_with_pain(&therapist, &bram, 7).await;
        app.finish_with_pain(&therapist, &cleo, 6).await;
        assert!(flags(&app, &therapist, &cleo.id).await.is_empty(), "6 is below the threshold of 7");
        let anna_flag = flags(&app, &therapist, &anna.id).await;
        assert_eq!(anna_flag.len(), 1);
        assert_eq!((anna_flag[0]["score"].clone(), anna_flag[0]["threshold"].clone()), (json!(8), json!(7)));
        assert_eq!(flags(&app, &therapist, &bram.id).await.len(), 1, "at the threshold counts");

        // The caseload names the reason; the record opens with the banner.
        let caseload: Value = app.api_get(&therapist, "/api/v1/caseload").await.json().await.unwrap();
        let row = |id: &str| {
            caseload["patients"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone()
        };
        assert_eq!(row(&anna.id)["care_flags"], json!(["stepped_care"]));
        assert_eq!(row(&cleo.id)["care_flags"], json!([]));
        let browser = app.browser_login(&north.therapist.email).await;
        let list =
            visible_text(&browser.get(app.url("/caseload")).send().await.unwrap().text().await.unwrap());
        assert!(list.contains("End score above threshold"), "{list}");
        let record = format!("/patients/{}", anna.id);
        let page = visible_text(&browser.get(app.url(&record)).send().await.unwrap().text().await.unwrap());
        crate::support::browser::assert_in_order(
            &page,
            &[
                "Still above the threshold at the end: consider the next step",
                "Pain rating (0–10): 8 of 10 at the end of treatment; the program's threshold for stepping up is 7.",
                "Step up to face-to-face treatment",
                "No step-up",
            ],
        );

        // A decision needs a choice and a reason; the refusal keeps both on the banner.
        let flag_id = anna_flag[0]["id"].as_str().unwrap().to_string();
        let action = format!("{record}/flags/{flag_id}");
        let refused =
            app.submit_form(&browser, &record, &action, &[("decision", "stepped_up"), ("reason", " ")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = refused.text().await.unwrap();
        assert!(visible_text(&refused).contains("Say briefly why, for the record"), "the field is named");
        assert!(refused.contains(r#"value="stepped_up" checked>"#), "the choice is kept");

        let form = [("decision", "stepped_up"), ("reason", "Still severe pain; referred to the pain team.")];
        let stepped = app.submit_form(&browser, &record, &action, &form).await;
        assert_eq!(stepped.status(), StatusCode::SEE_OTHER);
        let to = stepped.headers()["location"].to_str().unwrap().to_string();
        let after = visible_text(&browser.get(app.url(&to)).send().await.unwrap().text().await.unwrap());
        assert!(after.contains("The patient is stepped up to face-to-face treatment"), "{after}");
        assert!(!after.contains("consider the next step"), "the banner is gone");
        let detail: Value =
            app.api_get(&therapist, &format!("/api/v1/patients/{}", anna.id)).await.json().await.unwrap();
        assert_eq!(detail["status"], "stepped_up", "{detail}");
        let again = app.submit_form(&browser, &record, &action, &form).await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND, "decided once");

        let api = format!(
            "/api/v1/patients/{}/flags/{}/decision",
            bram.id,
            flags(&app, &therapist, &bram.id).await[0]["id"].as_str().unwrap()
        );
        let declined = app
            .api_post(
                &therapist,
                &api,
                json!({"decision": "no_step_up", "reason": "Prefers to go on alone."}),
            )
            .await;
        assert_eq!(declined.status(), StatusCode::NO_CONTENT);
        assert!(flags(&app, &therapist, &bram.id).await.is_empty());

        let admin = app.token(&app.admin().await.email).await;
        let audit: Value = app
            .api_get(&admin, "/api/v1/audit?action=patient.stepped_care_decided")
            .await
            .json()
            .await
            .unwrap();
        let details: Vec<&str> =
            audit["entries"].as_array().unwrap().iter().filter_map(|e| e["detail"].as_str()).collect();
        assert_eq!(details.len(), 2, "{audit}");
        assert!(details.contains(&"stepped_up") && details.contains(&"no_step_up"), "{details:?}");

        // The therapist's own figures count the flags and decisions exactly.
        let mine: Value = app.api_get(&therapist, "/api/v1/me/figures").await.json().await.unwrap();
        assert_eq!(
            mine["outcomes"]["stepped_care"],
            json!({"flagged": 2, "stepped_up": 1, "not_stepped_up": 1, "open": 0}),
            "{mine}"
        );
    }
);
