//! Administration: clinics, teams, staff, roles and the audit log, over the
//! API and the admin pages; other roles are refused.

use icbt::accounts::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::accounts::PASSWORD;

db_test!(
    async fn an_admin_sets_up_a_clinic_and_its_staff(app: TestApp) {
        let admin = app.admin().await;
        let token = app.token(&admin.email).await;
        let clinic: Value =
            app.api_post(&token, "/api/v1/clinics", json!({"name": "South"})).await.json().await.unwrap();
        let clinic_id = clinic["id"].as_str().unwrap();
        let duplicate = app.api_post(&token, "/api/v1/clinics", json!({"name": "South"})).await;
        assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = duplicate.json().await.unwrap();
        assert!(problem["errors"]["name"].is_array(), "{problem}");

        let team = app
            .api_post(&token, &format!("/api/v1/clinics/{clinic_id}/teams"), json!({"name": "Pain"}))
            .await;
        assert_eq!(team.status(), StatusCode::CREATED);
        let team_id = team.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

        let bad = app
            .api_post(
                &token,
                "/api/v1/staff",
                json!({"email": "not-an-address", "name": "X", "role": "therapist", "clinic_id": clinic_id}),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.json::<Value>().await.unwrap()["errors"]["email"].is_array());
        let missing = app.api_post(&token, "/api/v1/staff", json!({"email": "a@b.test"})).await;
        assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY, "a missing field is named");

        let staff: Value = app
            .api_post(&token, "/api/v1/staff", json!({"email": "ella@south.test", "name": "Ella", "role": "therapist", "clinic_id": clinic_id, "team_id": team_id}))
            .await
            .json()
            .await
            .unwrap();
        let staff_id = staff["id"].as_str().unwrap().to_string();
        let invitation = staff["invitation_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
        let accepted = app
            .client
            .post(app.url(&format!("/api/v1/invitations/{invitation}/accept")))
            .json(&json!({"password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), StatusCode::OK);
        let ella = app.token("ella@south.test").await;

        // Role change and deactivation end the person's access at once.
        let patch = app
            .client
            .patch(app.url(&format!("/api/v1/staff/{staff_id}")))
            .bearer_auth(&token)
            .json(&json!({"role": "manager"}))
            .send()
            .await
            .unwrap();
        assert_eq!(patch.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.api_get(&ella, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
        let me: Value =
            app.api_get(&app.token("ella@south.test").await, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "manager");
        let off = app
            .client
            .patch(app.url(&format!("/api/v1/staff/{staff_id}")))
            .bearer_auth(&token)
            .json(&json!({"active": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(off.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            app.request_token("ella@south.test", PASSWORD, None).await.status(),
            StatusCode::UNAUTHORIZED
        );

        let audit: Value =
            app.api_get(&token, &format!("/api/v1/audit?target_id={staff_id}")).await.json().await.unwrap();
        let actions: Vec<&str> =
            audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for expected in [
            "staff.invited",
            "invitation.accepted",
            "staff.role_changed",
            "staff.deactivated",
            "login.failed",
        ] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
        let row = &audit["entries"][0];
        assert!(row["ip"].as_str().is_some_and(|ip| ip.starts_with("127.")), "{row}");
        assert!(row["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{row}");
    }
);

db_test!(
    async fn the_admin_pages_work_in_the_browser(app: TestApp) {
        let admin = app.admin().await;
        let clinic = app.clinic("North").await;
        let browser = app.browser_login(&admin.email).await;
        let created = app.submit_form(&browser, "/admin", "/admin/clinics", &[("name", "West")]).await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let page = format!("/admin/clinics/{}", clinic.clinic.id);
        let invited = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/staff"),
                &[
                    ("name", "Bram"),
                    ("email", "bram@north.test"),
                    ("role", "manager"),
                    ("team_id", &clinic.team.id),
                ],
            )
            .await;
        assert_eq!(invited.status(), StatusCode::SEE_OTHER);
        let html = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("bram@north.test") && html.contains("invited"),
            "the new colleague is listed as invited"
        );
        let bad = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/staff"),
                &[("name", ""), ("email", "bram2@north.test"), ("role", "manager")],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        for path in [
            "/admin/audit",
            "/admin/outbox",
            "/admin/outbox?status=sent&page=2",
            "/admin/audit?action=login&from=2020-01-01",
            "/admin/usage",
        ] {
            assert_eq!(browser.get(app.url(path)).send().await.unwrap().status(), StatusCode::OK, "{path}");
        }
        let outbox = browser.get(app.url("/admin/outbox")).send().await.unwrap().text().await.unwrap();
        assert!(outbox.contains("bram@north.test"), "the invitation is in the outbox");
    }
);

db_test!(
    async fn only_administrators_administer(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.user(Role::Patient, "patient@north.test", Some(&clinic.clinic), None).await;
        for email in [&clinic.therapist.email, &clinic.manager.email, &patient.email] {
            let token = app.token(email).await;
            assert_eq!(
                app.api_post(&token, "/api/v1/clinics", json!({"name": "Mine"})).await.status(),
                StatusCode::FORBIDDEN
            );
            assert_eq!(app.api_get(&token, "/api/v1/audit").await.status(), StatusCode::FORBIDDEN);
            assert_eq!(app.api_get(&token, "/api/v1/outbox").await.status(), StatusCode::FORBIDDEN);
            let browser = app.browser_login(email).await;
            for page in [
                "/admin",
                "/admin/audit",
                "/admin/outbox",
                "/admin/usage",
                &format!("/admin/clinics/{}", clinic.clinic.id),
            ] {
                assert_eq!(
                    browser.get(app.url(page)).send().await.unwrap().status(),
                    StatusCode::FORBIDDEN,
                    "{page}"
                );
            }
        }
        assert_eq!(app.get("/api/v1/audit").await.status(), StatusCode::UNAUTHORIZED);
    }
);

db_test!(
    async fn the_audit_log_cannot_be_changed(app: TestApp) {
        use sea_orm::ConnectionTrait;
        app.request_token("nobody@north.test", "wrong password!", None).await;
        let db = &app.state.db;
        assert!(
            db.execute_unprepared("UPDATE audit_log SET action = 'x'").await.is_err(),
            "the database refuses updates"
        );
        assert!(db.execute_unprepared("DELETE FROM audit_log").await.is_err(), "and deletes");
    }
);
