//! The patient's pages without JavaScript: every task works with plain forms,
//! refused input comes back with the messages beside the fields.

use reqwest::StatusCode;

use crate::support::accounts::PASSWORD;

db_test!(
    async fn rows_and_drafts_work_with_plain_forms(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-fatigue").await;
        // Open module 4 for the energy-points exercise.
        let therapist = app.token(&clinic.therapist.email).await;
        let path = format!("/api/v1/patients/{}/modules/gradual-activity", patient.id);
        app.client
            .patch(app.url(&path))
            .bearer_auth(&therapist)
            .json(&serde_json::json!({"state": "open"}))
            .send()
            .await
            .unwrap();

        let browser = app.browser_login(&patient.email).await;
        let page = "/items/fatigue-energy-points-exercise";
        let html = browser.get(app.url(page)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("name=\"energy_points.1.activity\""), "rows are plain inputs");
        assert!(html.contains("name=\"energy_points.3.points\""), "with spare rows to add more");

        let short = [
            ("energy_points.1.activity", "Work"),
            ("energy_points.1.points", "50"),
            ("energy_points.2.activity", "Cooking"),
            ("energy_points.2.points", "30"),
        ];
        let mut fields: Vec<(&str, &str)> = short.to_vec();
        fields.push(("intent", "submit"));
        let refused = app.submit_form(&browser, page, &format!("{page}/answers"), &fields).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        assert!(html.contains("must add up to 100 (now 80)"), "the sum rule is explained");
        assert!(html.contains("value=\"Cooking\""), "the patient's input is kept");
        // The summary at the top links to the field that needs attention.
        let summary = html.split("error-summary").nth(1).expect("an error summary at the top");
        assert!(summary.contains("href=\"#f-") && summary.contains("must add up to 100"), "{summary}");

        let mut draft: Vec<(&str, &str)> = short.to_vec();
        draft.push(("intent", "draft"));
        let saved = app.submit_form(&browser, page, &format!("{page}/answers"), &draft).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let next = saved.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(next, format!("{page}?done=draft"), "back to the assignment, confirming the draft");
        let html = browser.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("value=\"Cooking\"") && html.contains("You can continue later"),
            "the draft comes back"
        );
        let _ = PASSWORD;
    }
);

db_test!(
    async fn patient_pages_refuse_other_roles_and_locked_items(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&patient.email).await;
        for page in [
            "/home",
            "/program",
            "/items/pain-welcome",
            "/items/pain-level-diary",
            "/questionnaires",
            "/messages",
            "/my-data",
        ] {
            let response = browser.get(app.url(page)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{page}");
        }
        let locked = browser.get(app.url("/items/pain-what-is-chronic-pain")).send().await.unwrap();
        assert_eq!(locked.status(), StatusCode::NOT_FOUND, "a locked module's page");
        let export = browser.get(app.url("/my-data/export.json")).send().await.unwrap();
        assert!(export.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let therapist = app.browser_login(&clinic.therapist.email).await;
        assert_eq!(
            therapist.get(app.url("/home")).send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "a patient page is not for staff"
        );
    }
);

db_test!(
    async fn an_action_is_confirmed_once_on_the_next_page(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&patient.email).await;
        let sent = app.submit_form(&browser, "/messages", "/messages", &[("body", "A question")]).await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
        let next = sent.headers()["location"].to_str().unwrap().to_string();
        let html = browser.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("role=\"status\">Your message is sent."), "confirmed on the next page");
        let again = browser.get(app.url("/messages")).send().await.unwrap().text().await.unwrap();
        assert!(!again.contains("Your message is sent."), "not on a later visit");
        // A notice is only ever one of the known texts.
        let forged = browser.get(app.url("/messages?done=%3Cscript%3E")).send().await.unwrap();
        assert!(!forged.text().await.unwrap().contains("<script>"));
    }
);

db_test!(
    async fn a_row_is_added_without_script_and_nothing_is_saved(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&patient.email).await;
        let page = "/items/pain-activity-diary";
        let html = browser.get(app.url(page)).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("name=\"activities.3.activity\"")
                && !html.contains("name=\"activities.4.activity\"")
        );
        assert!(html.contains("name=\"add_row\" value=\"activities\""), "an add-a-row button");

        let typed = [
            ("activities.1.activity", "Short walk"),
            ("activities.1.duration_minutes", "20"),
            ("activities.rows", "3"),
            ("add_row", "activities"),
        ];
        let more = app.submit_form(&browser, page, &format!("{page}/entry"), &typed).await;
        assert_eq!(more.status(), StatusCode::OK, "not an error: the form again");
        let html = more.text().await.unwrap();
        assert!(html.contains("name=\"activities.4.activity\""), "a fourth row");
        assert!(!html.contains("name=\"activities.5.activity\""), "one row more, not several");
        assert!(html.contains("value=\"Short walk\""), "what was typed stays");
        assert!(!html.contains("Some fields need attention"), "no errors for an unfinished form");
        let entries: serde_json::Value = app
            .api_get(&patient.token, "/api/v1/me/diaries/pain-activity-diary/entries")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            entries.as_array().or(entries["entries"].as_array()).map(Vec::len),
            Some(0),
            "nothing saved"
        );
    }
);
