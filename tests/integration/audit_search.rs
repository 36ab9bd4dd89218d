//! The audit log answers a privacy officer's "who opened this file?": by a
//! person's name or e-mail, by a patient's case code, a page at a time.

use reqwest::StatusCode;
use serde_json::Value;

async fn entries(app: &crate::support::TestApp, token: &str, query: &str) -> Value {
    let response = app.api_get(token, &format!("/api/v1/audit?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

fn actions(page: &Value) -> Vec<String> {
    page["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

db_test!(
    async fn the_audit_log_is_searched_by_person_and_case_code_a_page_at_a_time(app: TestApp) {
        use icbt::{audit::AuditEntry, web::ClientInfo};
        let admin = app.admin().await;
        let admin_token = app.token(&admin.email).await;
        let clinic = app.clinic("West").await;
        let anna = app.patient(&clinic.therapist.email, "anna@west.test", "chronic-pain").await;
        let ben = app.patient(&clinic.colleague.email, "ben@west.test", "chronic-pain").await;
        let therapist = app.token(&clinic.therapist.email).await;
        app.api_get(&therapist, &format!("/api/v1/patients/{}", anna.id)).await;
        let colleague = app.token(&clinic.colleague.email).await;
        app.api_get(&colleague, &format!("/api/v1/patients/{}", ben.id)).await;

        // By case code, any case: everything about Anna, nothing about Ben.
        let about_anna = entries(&app, &admin_token, "case_code=c-ANNA").await;
        let targets: Vec<&str> = about_anna["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["target_id"].as_str())
            .collect();
        assert!(actions(&about_anna).contains(&"patient.viewed".to_string()), "{about_anna}");
        assert!(actions(&about_anna).contains(&"patient.enrolled".to_string()));
        assert!(!targets.contains(&ben.id.as_str()), "only Anna's file");

        // By part of an e-mail address: what the colleague did, and nothing else.
        let by_colleague = entries(&app, &admin_token, "person=COLLEAGUE%40west").await;
        for entry in by_colleague["entries"].as_array().unwrap() {
            let them = Some(clinic.colleague.id.as_str());
            assert!(entry["actor_id"].as_str() == them || entry["target_id"].as_str() == them, "{entry}");
        }
        let viewed: Vec<&Value> = by_colleague["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "patient.viewed")
            .collect();
        assert_eq!(viewed.len(), 1);
        assert_eq!(viewed[0]["target_id"], ben.id.as_str(), "the colleague opened Ben's file");
        // By name: the patient Anna as the one acted on (her enrollment).
        let by_name = entries(&app, &admin_token, "person=anna").await;
        assert!(actions(&by_name).contains(&"patient.viewed".to_string()));
        assert!(actions(&entries(&app, &admin_token, "person=nobody-at-all").await).is_empty());

        // A page at a time: 100 entries, then the rest.
        let now = app.state.clock.now();
        for n in 0..120 {
            let entry = AuditEntry::new("test.filler").detail(format!("n={n}"));
            icbt::audit::record(&app.state.db, entry, &ClientInfo::default(), now).await.unwrap();
        }
        let first = entries(&app, &admin_token, "action=test.filler").await;
        assert_eq!((actions(&first).len(), first["has_more"].as_bool()), (100, Some(true)));
        let second = entries(&app, &admin_token, "action=test.filler&page=2").await;
        assert_eq!((actions(&second).len(), second["has_more"].as_bool()), (20, Some(false)));
        let bad = app.api_get(&admin_token, "/api/v1/audit?page=0").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // The page names people and patients, and pages on.
        let browser = app.browser_login(&admin.email).await;
        let html =
            browser.get(app.url("/admin/audit?person=colleague")).send().await.unwrap().text().await.unwrap();
        let seen = crate::support::visible_text(&html);
        assert!(seen.contains("(colleague@west.test)") && seen.contains("C-ben"), "{seen}");
        let html = browser
            .get(app.url("/admin/audit?action=test.filler"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("rel=\"next\"") && html.contains("page=2"), "a link to older entries");
    }
);
