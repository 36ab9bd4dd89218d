//! The access matrix: a therapist, against every patient-data route of a
//! patient who is not theirs, gets 404 — never a hint that the record exists;
//! every other role gets 403 for the route itself, whatever the id. Only the
//! treating therapist gets through, and every read is audited.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every therapist route on one patient's record: (method, path, body).
fn record_routes(id: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, format!("/api/v1/patients/{id}"), None),
        (Method::GET, format!("/api/v1/patients/{id}/diary-entries"), None),
        (Method::GET, format!("/api/v1/patients/{id}/submissions"), None),
        (Method::GET, format!("/api/v1/patients/{id}/messages"), None),
        (Method::POST, format!("/api/v1/patients/{id}/feedback"), Some(json!({"body": "Hello"}))),
        (
            Method::PATCH,
            format!("/api/v1/patients/{id}/modules/understanding-pain"),
            Some(json!({"state": "open"})),
        ),
    ]
}

db_test!(
    async fn nobody_but_the_treating_therapist_reaches_a_record(app: TestApp) {
        let north = app.clinic("North").await;
        let south = app.clinic("South").await;
        let admin = app.admin().await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        let bob = app.patient(&north.colleague.email, "bob@north.test", "chronic-pain").await;
        let (not_found, forbidden) = (StatusCode::NOT_FOUND, StatusCode::FORBIDDEN);
        let outsiders = [
            ("colleague in the same team", north.colleague.email.clone(), not_found),
            ("therapist of another clinic", south.therapist.email.clone(), not_found),
            ("manager of the clinic", north.manager.email.clone(), forbidden),
            ("manager of another clinic", south.manager.email.clone(), forbidden),
            ("administrator", admin.email.clone(), forbidden),
            ("another patient", bob.email.clone(), forbidden),
            ("the patient herself", anna.email.clone(), forbidden),
        ];
        let nobody = "00000000-0000-7000-8000-000000000000";
        for (who, email, expected) in &outsiders {
            let token = app.token(email).await;
            for id in [anna.id.as_str(), nobody] {
                for (method, path, body) in record_routes(id) {
                    let mut request = app.client.request(method.clone(), app.url(&path)).bearer_auth(&token);
                    if let Some(body) = &body {
                        request = request.json(body);
                    }
                    let response = request.send().await.unwrap();
                    assert_eq!(response.status(), *expected, "{who}: {method} {path}");
                    let problem: Value = response.json().await.unwrap();
                    let title =
                        if *expected == not_found { "Not found" } else { "This action is not allowed" };
                    assert_eq!(problem["title"], title, "the same answer as for no record at all");
                }
            }
        }
        // An id that does not exist answers exactly the same.
        let therapist = app.token(&north.therapist.email).await;
        let none = app.api_get(&therapist, "/api/v1/patients/00000000-0000-7000-8000-000000000000").await;
        assert_eq!(none.status(), StatusCode::NOT_FOUND);

        // The treating therapist gets through on every route.
        for (method, path, body) in record_routes(&anna.id) {
            let mut request = app.client.request(method.clone(), app.url(&path)).bearer_auth(&therapist);
            if let Some(body) = &body {
                request = request.json(body);
            }
            let status = request.send().await.unwrap().status();
            assert!(status.is_success(), "{method} {path}: {status}");
        }
        // Without a token: 401, not 404.
        assert_eq!(
            app.get(&format!("/api/v1/patients/{}", anna.id)).await.status(),
            StatusCode::UNAUTHORIZED
        );
        // A patient's own routes are only ever their own.
        let own: Value = app.api_get(&bob.token, "/api/v1/me/export").await.json().await.unwrap();
        assert_eq!(own["account"]["email"], "bob@north.test");
        // Staff have no "own" patient routes.
        for email in [&north.therapist.email, &north.manager.email, &admin.email] {
            let token = app.token(email).await;
            assert_eq!(app.api_get(&token, "/api/v1/me/program").await.status(), StatusCode::FORBIDDEN);
        }
    }
);

db_test!(
    async fn every_record_access_by_staff_is_audited(app: TestApp) {
        let north = app.clinic("North").await;
        let admin = app.admin().await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        let therapist = app.token(&north.therapist.email).await;
        for (method, path, body) in record_routes(&anna.id) {
            let mut request = app.client.request(method, app.url(&path)).bearer_auth(&therapist);
            if let Some(body) = &body {
                request = request.json(body);
            }
            assert!(request.send().await.unwrap().status().is_success());
        }
        let admin_token = app.token(&admin.email).await;
        let audit: Value = app
            .api_get(&admin_token, &format!("/api/v1/audit?target_id={}", anna.id))
            .await
            .json()
            .await
            .unwrap();
        let rows = audit["entries"].as_array().unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
        for expected in [
            "patient.enrolled",
            "patient.viewed",
            "patient.diaries_viewed",
            "patient.submissions_viewed",
            "patient.messages_viewed",
            "patient.feedback_sent",
            "patient.module_changed",
        ] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
        assert!(rows.iter().all(|r| r["actor_id"] == north.therapist.id.as_str()), "who");
        assert!(rows.iter().all(|r| r["ip"].as_str().is_some_and(|ip| ip.starts_with("127."))), "from where");
    }
);
