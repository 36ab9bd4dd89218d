//! Logging in and out over HTML and the API, uniform failures, throttling,
//! CSRF, session rotation and timeouts.

use chrono::Duration;
use icbt::accounts::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::accounts::{session_cookie, PASSWORD};

db_test!(
    async fn every_role_logs_in_and_out_over_the_api(app: TestApp) {
        let admin = app.admin().await;
        let clinic = app.clinic("North").await;
        for (user, role) in
            [(&admin, "admin"), (&clinic.therapist, "therapist"), (&clinic.manager, "manager")]
        {
            let response = app.request_token(&user.email, PASSWORD, None).await;
            assert_eq!(response.status(), StatusCode::OK);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["role"], role);
            assert_eq!(body["user_id"], user.id.as_str());
            let token = body["token"].as_str().unwrap().to_string();

            let me: Value = app.api_get(&token, "/api/v1/me").await.json().await.unwrap();
            assert_eq!(me["email"], user.email.as_str());

            let revoked =
                app.client.delete(app.url("/api/v1/auth/token")).bearer_auth(&token).send().await.unwrap();
            assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
            assert_eq!(app.api_get(&token, "/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
        }
        let patient = app.user(Role::Patient, "patient@north.test", Some(&clinic.clinic), None).await;
        let token = app.token(&patient.email).await;
        let me: Value = app.api_get(&token, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["role"], "patient");
    }
);

db_test!(
    async fn every_role_logs_in_and_out_in_the_browser(app: TestApp) {
        let admin = app.admin().await;
        let clinic = app.clinic("North").await;
        let patient = app.user(Role::Patient, "patient@north.test", Some(&clinic.clinic), None).await;
        for user in [&admin, &clinic.therapist, &clinic.manager, &patient] {
            let browser = app.browser_login(&user.email).await;
            let account = browser.get(app.url("/account")).send().await.unwrap();
            assert_eq!(account.status(), StatusCode::OK);
            let html = account.text().await.unwrap();
            assert!(html.contains(&user.email), "the account page shows who is logged in");
            // The logo's "/" leads to the role's own main page, not the public start page.
            let start = browser.get(app.url("/")).send().await.unwrap();
            assert_eq!(start.status(), StatusCode::SEE_OTHER);
            let landing = match user.role {
                Role::Admin => "/admin",
                Role::Therapist => "/caseload",
                Role::Manager => "/reports",
                Role::Patient => "/home",
            };
            assert_eq!(start.headers()["location"], landing, "{:?}", user.role);

            let logout = app.submit_form(&browser, "/account", "/logout", &[]).await;
            assert_eq!(logout.status(), StatusCode::SEE_OTHER);
            let to = logout.headers()["location"].to_str().unwrap().to_string();
            let said = browser.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
            assert!(crate::support::visible_text(&said).contains("You are logged out."), "{to}");
            let after = browser.get(app.url("/account")).send().await.unwrap();
            assert_eq!(after.status(), StatusCode::SEE_OTHER, "logged out: back to the login page");
            assert!(after.headers()["location"].to_str().unwrap().starts_with("/login"));
        }
    }
);

db_test!(
    async fn unknown_email_and_wrong_password_get_the_same_answer(app: TestApp) {
        let clinic = app.clinic("North").await;
        let wrong = app.request_token(&clinic.therapist.email, "not the password", None).await;
        let unknown = app.request_token("nobody@north.test", "not the password", None).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        let (wrong, unknown): (Value, Value) = (wrong.json().await.unwrap(), unknown.json().await.unwrap());
        assert_eq!(wrong, unknown);

        let browser = crate::support::new_client();
        let a = app
            .submit_form(
                &browser,
                "/login",
                "/login",
                &[("email", &clinic.therapist.email), ("password", "nope nope nope")],
            )
            .await;
        let a_status = a.status();
        let a_text = a.text().await.unwrap().replace(&clinic.therapist.email, "EMAIL");
        let b = app
            .submit_form(
                &browser,
                "/login",
                "/login",
                &[("email", "nobody@north.test"), ("password", "nope nope nope")],
            )
            .await;
        let b_status = b.status();
        let b_text = b.text().await.unwrap().replace("nobody@north.test", "EMAIL");
        assert_eq!(a_status, StatusCode::UNAUTHORIZED);
        assert_eq!(a_status, b_status);
        let strip =
            |s: &str| s.lines().filter(|l| !l.contains("name=\"csrf\"")).collect::<Vec<_>>().join("\n");
        assert_eq!(strip(&a_text), strip(&b_text), "the pages differ only in the echoed address");
    }
);

db_test!(
    async fn failed_logins_are_throttled_per_account_without_a_lock_out(app: TestApp) {
        let clinic = app.clinic("North").await;
        let email = clinic.therapist.email.clone();
        for _ in 0..5 {
            assert_eq!(
                app.request_token(&email, "wrong password!", None).await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
        let throttled = app.request_token(&email, PASSWORD, None).await;
        assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
        let retry_after: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "a short wait, not a lock-out: {retry_after}");

        app.state.clock.advance(Duration::seconds(retry_after as i64));
        assert_eq!(app.request_token(&email, PASSWORD, None).await.status(), StatusCode::OK);
        // Success forgets the failures.
        assert_eq!(
            app.request_token(&email, "wrong password!", None).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(app.request_token(&email, PASSWORD, None).await.status(), StatusCode::OK);
    }
);

db_test!(
    async fn failed_logins_are_throttled_per_ip(app: TestApp) {
        let limit = app.state.settings.auth.ip_failures_per_window;
        for n in 0..limit {
            let response = app.request_token(&format!("guess{n}@north.test"), "wrong password!", None).await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let blocked = app.request_token("another@north.test", "wrong password!", None).await;
        assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(blocked.headers().contains_key("retry-after"));
        app.state.clock.advance(Duration::minutes(16));
        assert_eq!(
            app.request_token("another@north.test", "wrong password!", None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
);

db_test!(
    async fn forms_without_a_valid_csrf_token_are_refused(app: TestApp) {
        let clinic = app.clinic("North").await;
        let browser = crate::support::new_client();
        // No token at all.
        let bare = browser
            .post(app.url("/login"))
            .form(&[("email", clinic.therapist.email.as_str()), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(bare.status(), StatusCode::FORBIDDEN);
        // A cookie from the site, but a token from elsewhere.
        browser.get(app.url("/login")).send().await.unwrap();
        let forged = browser
            .post(app.url("/login"))
            .form(&[
                ("csrf", "0".repeat(64).as_str()),
                ("email", clinic.therapist.email.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        // A logged-in user's state-changing form without the token.
        let logged_in = app.browser_login(&clinic.therapist.email).await;
        let logout = logged_in.post(app.url("/logout")).form(&[("x", "y")]).send().await.unwrap();
        assert_eq!(logout.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            logged_in.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::OK,
            "still logged in"
        );
    }
);

db_test!(
    async fn login_rotates_the_session_id(app: TestApp) {
        let clinic = app.clinic("North").await;
        let browser = crate::support::new_client();
        let fields = [("email", clinic.therapist.email.as_str()), ("password", PASSWORD)];
        let first = app.submit_form(&browser, "/login", "/login", &fields).await;
        let first_id = session_cookie(&first).expect("a session cookie");
        // Logged in, /login moves on; any page's form token will do.
        let second = app.submit_form(&browser, "/account", "/login", &fields).await;
        let second_id = session_cookie(&second).expect("a new session cookie");
        assert_ne!(first_id, second_id);
        let cookie = first
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>();
        let session = cookie.iter().find(|c| c.starts_with("icbt_session=")).unwrap();
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    }
);

db_test!(
    async fn sessions_end_after_idle_and_absolute_timeouts(app: TestApp) {
        let clinic = app.clinic("North").await;
        let idle = app.browser_login(&clinic.therapist.email).await;
        app.state.clock.advance(Duration::minutes(29));
        assert_eq!(idle.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);
        app.state.clock.advance(Duration::minutes(31));
        assert_eq!(
            idle.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::SEE_OTHER,
            "idle 31 min"
        );

        let busy = app.browser_login(&clinic.colleague.email).await;
        for _ in 0..35 {
            app.state.clock.advance(Duration::minutes(20));
            assert_eq!(busy.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);
        }
        app.state.clock.advance(Duration::minutes(20));
        let expired = busy.get(app.url("/account")).send().await.unwrap();
        assert_eq!(
            expired.status(),
            StatusCode::SEE_OTHER,
            "12 hours after login the session ends however busy"
        );
    }
);
