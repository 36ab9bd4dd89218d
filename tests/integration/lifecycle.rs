//! The end of a record: an administrator erases a patient; a clinic's
//! retention period erases patients whose treatment ended long enough ago.

use chrono::Duration;
use icbt::entities::{
    audit_log, diary_entries, enrollments, messages, questionnaire_responses, usage_events, users,
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::TestApp;

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json body")
}

async fn rows_of(app: &TestApp, enrollment_id: &str) -> [u64; 4] {
    let db = &app.state.db;
    [
        diary_entries::Entity::find()
            .filter(diary_entries::Column::EnrollmentId.eq(enrollment_id))
            .count(db)
            .await
            .unwrap(),
        questionnaire_responses::Entity::find()
            .filter(questionnaire_responses::Column::EnrollmentId.eq(enrollment_id))
            .count(db)
            .await
            .unwrap(),
        messages::Entity::find()
            .filter(messages::Column::EnrollmentId.eq(enrollment_id))
            .count(db)
            .await
            .unwrap(),
        enrollments::Entity::find()
            .filter(enrollments::Column::Id.eq(enrollment_id))
            .count(db)
            .await
            .unwrap(),
    ]
}

async fn pseudonym_of(app: &TestApp, enrollment_id: &str) -> String {
    enrollments::Entity::find_by_id(enrollment_id.to_string())
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("enrollment")
        .pseudonym
}

async fn usage_events_of(app: &TestApp, pseudonym: &str) -> u64 {
    usage_events::Entity::find()
        .filter(usage_events::Column::PatientPseudonym.eq(pseudonym))
        .count(&app.state.db)
        .await
        .unwrap()
}

db_test!(
    async fn an_administrator_erases_a_patient_and_the_figures_stay(app: TestApp) {
        let north = app.clinic("North").await;
        let south = app.clinic("South").await;
        let admin = app.admin().await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        let bob = app.patient(&north.therapist.email, "bob@north.test", "chronic-pain").await;
        app.some_treatment(&anna, &north.therapist.email).await;
        app.some_treatment(&bob, &north.therapist.email).await;
        let anna_user = users::Entity::find()
            .filter(users::Column::Email.eq("anna@north.test"))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let pseudonym = pseudonym_of(&app, &anna.id).await;
        let events_before = usage_events_of(&app, &pseudonym).await;
        assert!(events_before >= 4);
        assert_eq!(rows_of(&app, &anna.id).await, [1, 1, 2, 1]);

        let path = format!("/api/v1/clinics/{}/erasures", north.clinic.id);
        // Nobody but an administrator; and only a patient of that clinic.
        for email in [&north.therapist.email, &north.manager.email] {
            let token = app.token(email).await;
            let refused = app.api_post(&token, &path, json!({"email": "anna@north.test"})).await;
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{email}");
        }
        let admin_token = app.token(&admin.email).await;
        let elsewhere = app
            .api_post(
                &admin_token,
                &format!("/api/v1/clinics/{}/erasures", south.clinic.id),
                json!({"email": "anna@north.test"}),
            )
            .await;
        assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(json_of(elsewhere).await["errors"]["email"][0]
            .as_str()
            .unwrap()
            .contains("enrolled in this clinic"));
        let staff = app.api_post(&admin_token, &path, json!({"email": north.therapist.email})).await;
        assert_eq!(staff.status(), StatusCode::UNPROCESSABLE_ENTITY, "staff are not erased as patients");
        assert_eq!(rows_of(&app, &anna.id).await, [1, 1, 2, 1], "nothing erased by a refused request");

        let reach_before =
            json_of(app.api_get(&app.token(&north.manager.email).await, "/api/v1/reports/uptake").await)
                .await["reach"]
                .clone();
        let erased = app.api_post(&admin_token, &path, json!({"email": " Anna@North.test "})).await;
        assert_eq!(erased.status(), StatusCode::OK);
        let erased = json_of(erased).await;
        assert_eq!(erased["enrollments"], 1);
        assert_eq!(erased["pseudonyms"], json!([pseudonym]));

        // The clinical content and the account are gone; her login with it.
        assert_eq!(rows_of(&app, &anna.id).await, [0, 0, 0, 0]);
        assert!(users::Entity::find_by_id(anna_user.id.clone()).one(&app.state.db).await.unwrap().is_none());
        assert_eq!(app.api_get(&anna.token, "/api/v1/me/program").await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.request_token("anna@north.test", crate::support::accounts::PASSWORD, None).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let therapist = app.token(&north.therapist.email).await;
        let caseload = json_of(app.api_get(&therapist, "/api/v1/caseload").await).await;
        let ids: Vec<&str> =
            caseload["patients"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [bob.id.as_str()]);
        assert_eq!(
            app.api_get(&therapist, &format!("/api/v1/patients/{}", anna.id)).await.status(),
            StatusCode::NOT_FOUND
        );
        // Bob keeps everything.
        assert_eq!(rows_of(&app, &bob.id).await, [1, 1, 2, 1]);

        // Usage events stay, under the pseudonym only, so the figures stay.
        assert_eq!(usage_events_of(&app, &pseudonym).await, events_before);
        let anonymous = usage_events::Entity::find().all(&app.state.db).await.unwrap();
        assert!(anonymous.iter().all(|e| e.patient_pseudonym.as_deref() != Some(anna_user.id.as_str())));
        let reach_after =
            json_of(app.api_get(&app.token(&north.manager.email).await, "/api/v1/reports/uptake").await)
                .await["reach"]
                .clone();
        assert_eq!(reach_before, reach_after);

        // The erasure is audited: by whom, which patient, which pseudonym.
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("patient.erased"))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor_id.as_deref(), Some(admin.id.as_str()));
        assert_eq!(audit[0].target_id.as_deref(), Some(anna_user.id.as_str()));
        assert_eq!(audit[0].clinic_id.as_deref(), Some(north.clinic.id.as_str()));
        assert!(audit[0].detail.as_deref().unwrap().contains(&pseudonym));
        assert!(!audit[0].detail.as_deref().unwrap().contains("anna"));

        // Erasing again: she is no longer there.
        let again = app.api_post(&admin_token, &path, json!({"email": "anna@north.test"})).await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
);

db_test!(
    async fn the_clinic_page_erases_only_when_confirmed(app: TestApp) {
        let north = app.clinic("North").await;
        let admin = app.admin().await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        app.some_treatment(&anna, &north.therapist.email).await;
        let browser = app.browser_login(&admin.email).await;
        let page = format!("/admin/clinics/{}", north.clinic.id);
        let action = format!("{page}/erasure");
        let unconfirmed = app.submit_form(&browser, &page, &action, &[("email", "anna@north.test")]).await;
        assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unconfirmed.text().await.unwrap().contains("Tick the box to confirm"));
        let unknown = app
            .submit_form(&browser, &page, &action, &[("email", "nobody@north.test"), ("confirm", "on")])
            .await;
        assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = unknown.text().await.unwrap();
        assert!(html.contains("No patient with this e-mail address is enrolled in this clinic."));
        assert_eq!(rows_of(&app, &anna.id).await, [1, 1, 2, 1]);

        let done = app
            .submit_form(&browser, &page, &action, &[("email", "anna@north.test"), ("confirm", "on")])
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(done.headers()["location"], format!("{page}?done=erased").as_str());
        assert_eq!(rows_of(&app, &anna.id).await, [0, 0, 0, 0]);
        let notice =
            browser.get(app.url(&format!("{page}?done=erased"))).send().await.unwrap().text().await.unwrap();
        assert!(notice.contains("are erased"));
    }
);

db_test!(
    async fn a_retention_period_erases_patients_whose_treatment_ended_long_ago(app: TestApp) {
        let north = app.clinic("North").await;
        let admin = app.admin().await;
        let done = app.patient(&north.therapist.email, "done@north.test", "chronic-pain").await;
        let ongoing = app.patient(&north.therapist.email, "ongoing@north.test", "chronic-pain").await;
        app.some_treatment(&done, &north.therapist.email).await;
        let therapist = app.browser_login(&north.therapist.email).await;
        let page = format!("/patients/{}", done.id);
        let ended = app
            .submit_form(
                &therapist,
                &page,
                &format!("{page}/status"),
                &[("status", "completed"), ("reason", "")],
            )
            .await;
        assert_eq!(ended.status(), StatusCode::SEE_OTHER);

        let admin_token = app.token(&admin.email).await;
        let path = format!("/api/v1/clinics/{}/retention", north.clinic.id);
        let put = |body: Value| app.client.put(app.url(&path)).bearer_auth(&admin_token).json(&body).send();
        for bad in [json!({"months": 0}), json!({"months": 1201})] {
            let refused = put(bad).await.unwrap();
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
            assert!(json_of(refused).await["errors"]["retention_months"].is_array());
        }
        let manager = app.token(&north.manager.email).await;
        let not_admin = app
            .client
            .put(app.url(&path))
            .bearer_auth(&manager)
            .json(&json!({"months": 6}))
            .send()
            .await
            .unwrap();
        assert_eq!(not_admin.status(), StatusCode::FORBIDDEN);
        assert_eq!(put(json!({"months": 6})).await.unwrap().status(), StatusCode::NO_CONTENT);

        // Five months on, nothing; seven months on, the ended treatment goes.
        let now = app.state.clock.now();
        let erased = icbt::lifecycle::erasure::erase_expired(&app.state.db, now + Duration::days(31 * 5))
            .await
            .unwrap();
        assert_eq!(erased, 0);
        assert_eq!(rows_of(&app, &done.id).await, [1, 1, 2, 1]);
        let erased = icbt::lifecycle::erasure::erase_expired(&app.state.db, now + Duration::days(31 * 7))
            .await
            .unwrap();
        assert_eq!(erased, 1);
        assert_eq!(rows_of(&app, &done.id).await, [0, 0, 0, 0]);
        assert_eq!(rows_of(&app, &ongoing.id).await[3], 1, "a patient in treatment is kept");
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("patient.erased"))
            .one(&app.state.db)
            .await
            .unwrap()
            .expect("audited");
        assert_eq!(audit.actor_id, None, "erased by the retention rule, not a person");
        assert!(audit.detail.unwrap().starts_with("retention=6m"));

        // Without a retention period nothing is erased.
        assert_eq!(put(json!({"months": null})).await.unwrap().status(), StatusCode::NO_CONTENT);
        let later = now + Duration::days(365 * 30);
        assert_eq!(icbt::lifecycle::erasure::erase_expired(&app.state.db, later).await.unwrap(), 0);

        // The clinic page shows and sets it too.
        let browser = app.browser_login(&admin.email).await;
        let clinic_page = format!("/admin/clinics/{}", north.clinic.id);
        let bad = app
            .submit_form(
                &browser,
                &clinic_page,
                &format!("{clinic_page}/retention"),
                &[("retention_months", "soon")],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().await.unwrap().contains("whole number of months"));
        let saved = app
            .submit_form(
                &browser,
                &clinic_page,
                &format!("{clinic_page}/retention"),
                &[("retention_months", "240")],
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let html = browser.get(app.url(&clinic_page)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("name=\"retention_months\" type=\"number\" min=\"1\" max=\"1200\" inputmode=\"numeric\" aria-describedby=\"retention-hint\" value=\"240\""));
    }
);
