//! Two-factor authentication: set-up, login with and without a code,
//! recovery codes, the clinic requirement and an administrator's reset.

use chrono::Duration;
use icbt::auth::totp;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{accounts::PASSWORD, TestApp};

/// Turns two-factor on for `email` through the account page; returns the
/// secret and the recovery codes shown.
async fn enable_in_browser(app: &TestApp, email: &str) -> (String, Vec<String>) {
    let browser = app.browser_login(email).await;
    let page = browser.get(app.url("/account/2fa")).send().await.unwrap().text().await.unwrap();
    let secret =
        page.split("name=\"secret\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(page.contains("<svg"), "a QR code is shown");
    let wrong = app
        .submit_form(&browser, "/account/2fa", "/account/2fa", &[("secret", &secret), ("code", "000000")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let code = totp::current_code(&secret, email, app.state.clock.now()).unwrap();
    let done = app
        .submit_form(&browser, "/account/2fa", "/account/2fa", &[("secret", &secret), ("code", &code)])
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.unwrap();
    let codes: Vec<String> =
        html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10, "ten recovery codes");
    (secret, codes)
}

db_test!(
    async fn with_two_factor_on_a_login_needs_the_code(app: TestApp) {
        let clinic = app.clinic("North").await;
        let email = clinic.therapist.email.clone();
        let (secret, codes) = enable_in_browser(&app, &email).await;

        let without = app.request_token(&email, PASSWORD, None).await;
        assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
        let problem: Value = without.json().await.unwrap();
        assert!(problem["type"].as_str().unwrap().ends_with("totp-required"), "{problem}");

        let wrong = app.request_token(&email, PASSWORD, Some("123456")).await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

        let code = totp::current_code(&secret, &email, app.state.clock.now()).unwrap();
        assert_eq!(app.request_token(&email, PASSWORD, Some(&code)).await.status(), StatusCode::OK);

        // A recovery code works once.
        assert_eq!(app.request_token(&email, PASSWORD, Some(&codes[0])).await.status(), StatusCode::OK);
        assert_eq!(
            app.request_token(&email, PASSWORD, Some(&codes[0])).await.status(),
            StatusCode::UNAUTHORIZED
        );

        // In the browser: password, then the code page.
        let browser = crate::support::new_client();
        let step =
            app.submit_form(&browser, "/login", "/login", &[("email", &email), ("password", PASSWORD)]).await;
        assert_eq!(step.headers()["location"], "/login/code");
        assert_eq!(
            browser.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::SEE_OTHER,
            "not in yet"
        );
        app.state.clock.advance(Duration::seconds(30));
        let code = totp::current_code(&secret, &email, app.state.clock.now()).unwrap();
        let done = app.submit_form(&browser, "/login/code", "/login/code", &[("code", &code)]).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);
    }
);

db_test!(
    async fn a_clinic_can_require_two_factor_and_an_admin_can_reset_it(app: TestApp) {
        let admin = app.admin().await;
        let clinic = app.clinic("North").await;
        let email = clinic.therapist.email.clone();
        let admin_browser = app.browser_login(&admin.email).await;
        let page = format!("/admin/clinics/{}", clinic.clinic.id);
        let saved =
            app.submit_form(&admin_browser, &page, &format!("{page}/totp"), &[("required", "on")]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        let api = app.request_token(&email, PASSWORD, None).await;
        let problem: Value = api.json().await.unwrap();
        assert!(problem["type"].as_str().unwrap().ends_with("totp-setup-required"), "{problem}");

        // The browser login leads through the set-up before anything else.
        let browser = crate::support::new_client();
        let step =
            app.submit_form(&browser, "/login", "/login", &[("email", &email), ("password", PASSWORD)]).await;
        assert_eq!(step.headers()["location"], "/login/setup-2fa");
        let setup = browser.get(app.url("/login/setup-2fa")).send().await.unwrap().text().await.unwrap();
        let secret =
            setup.split("name=\"secret\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let code = totp::current_code(&secret, &email, app.state.clock.now()).unwrap();
        let done = app
            .submit_form(
                &browser,
                "/login/setup-2fa",
                "/login/setup-2fa",
                &[("secret", &secret), ("code", &code)],
            )
            .await;
        assert_eq!(done.status(), StatusCode::OK);
        assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::OK);
        assert_eq!(app.request_token(&email, PASSWORD, None).await.status(), StatusCode::UNAUTHORIZED);

        // The administrator resets it; the therapist sets it up again.
        let admin_token = app.token(&admin.email).await;
        let reset = app
            .api_post(&admin_token, &format!("/api/v1/staff/{}/totp-reset", clinic.therapist.id), json!({}))
            .await;
        assert_eq!(reset.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            browser.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::SEE_OTHER,
            "logged out"
        );
        let problem: Value = app.request_token(&email, PASSWORD, None).await.json().await.unwrap();
        assert!(problem["type"].as_str().unwrap().ends_with("totp-setup-required"));

        let audit: Value = app
            .api_get(&admin_token, &format!("/api/v1/audit?target_id={}", clinic.therapist.id))
            .await
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> =
            audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"totp.reset") && actions.contains(&"totp.enabled"), "{actions:?}");
    }
);

db_test!(
    async fn a_throttled_code_does_not_log_in(app: TestApp) {
        let clinic = app.clinic("North").await;
        let email = clinic.therapist.email.clone();
        let (secret, _) = enable_in_browser(&app, &email).await;
        let browser = crate::support::new_client();
        let step =
            app.submit_form(&browser, "/login", "/login", &[("email", &email), ("password", PASSWORD)]).await;
        assert_eq!(step.headers()["location"], "/login/code");
        let right = totp::current_code(&secret, &email, app.state.clock.now()).unwrap();
        let wrong = if right == "000000" { "111111" } else { "000000" };
        // Wrong codes until the account is throttled.
        let mut throttled = false;
        for _ in 0..10 {
            let refused = app.submit_form(&browser, "/login/code", "/login/code", &[("code", wrong)]).await;
            assert_ne!(refused.status(), StatusCode::SEE_OTHER, "a wrong code never logs in");
            if refused.status() == StatusCode::TOO_MANY_REQUESTS {
                throttled = true;
                break;
            }
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        assert!(throttled, "repeated wrong codes are throttled");
        assert_eq!(
            browser.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::SEE_OTHER,
            "still not in"
        );
    }
);
