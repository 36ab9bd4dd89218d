//! Invitations and password resets: one-time, expiring, and mailed through
//! the outbox to a real SMTP server.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    accounts::PASSWORD,
    smtp::{decoded_body, free_port, header, SmtpServer},
    Backend, TestApp,
};

async fn invite(app: &TestApp, admin_token: &str, clinic_id: &str, email: &str) -> String {
    let response = app
        .api_post(
            admin_token,
            "/api/v1/staff",
            json!({"email": email, "name": "Noor", "role": "therapist", "clinic_id": clinic_id}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let url = body["invitation_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&app.base), "absolute: {url}");
    url.rsplit('/').next().unwrap().to_string()
}

async fn accept(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/invitations/{token}/accept")))
        .json(&json!({"password": password}))
        .send()
        .await
        .unwrap()
}

db_test!(
    async fn an_invitation_works_once_and_expires(app: TestApp) {
        let admin = app.admin().await;
        let clinic = app.clinic("North").await;
        let admin_token = app.token(&admin.email).await;

        let token = invite(&app, &admin_token, &clinic.clinic.id, "noor@north.test").await;
        let weak = accept(&app, &token, "password").await;
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = weak.json().await.unwrap();
        assert!(problem["errors"]["password"][0].as_str().unwrap().contains("12 characters"), "{problem}");

        let accepted = accept(&app, &token, "a calm walk in the dunes").await;
        assert_eq!(accepted.status(), StatusCode::OK, "a weak try leaves the link usable");
        let user_id = accepted.json::<Value>().await.unwrap()["user_id"].as_str().unwrap().to_string();
        assert_eq!(accept(&app, &token, "another calm walk here").await.status(), StatusCode::GONE);
        let login: Value = app
            .request_token("noor@north.test", "a calm walk in the dunes", None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(login["user_id"], user_id.as_str());

        let late = invite(&app, &admin_token, &clinic.clinic.id, "late@north.test").await;
        app.state.clock.advance(Duration::days(7) + Duration::minutes(1));
        assert_eq!(accept(&app, &late, "a calm walk in the dunes").await.status(), StatusCode::GONE);
        assert_eq!(app.get(&format!("/invitations/{late}")).await.status(), StatusCode::GONE);
        assert_eq!(
            accept(&app, &"f".repeat(64), "a calm walk in the dunes").await.status(),
            StatusCode::NOT_FOUND
        );
    }
);

db_test!(
    async fn an_invitation_is_accepted_in_the_browser(app: TestApp) {
        let admin = app.admin().await;
        let clinic = app.clinic("North").await;
        let token = invite(&app, &app.token(&admin.email).await, &clinic.clinic.id, "noor@north.test").await;
        let browser = crate::support::new_client();
        let page = format!("/invitations/{token}");
        let weak = app.submit_form(&browser, &page, &page, &[("password", "short")]).await;
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(weak.text().await.unwrap().contains("at least 12"), "the reason is shown beside the field");
        let done = app.submit_form(&browser, &page, &page, &[("password", "a calm walk in the dunes")]).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            browser.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::OK,
            "logged in"
        );
    }
);

db_test!(
    async fn a_password_reset_link_sets_a_new_password_once(app: TestApp) {
        let clinic = app.clinic("North").await;
        let email = clinic.therapist.email.clone();
        let old_token = app.token(&email).await;
        let browser = crate::support::new_client();
        for address in [email.as_str(), "nobody@north.test"] {
            let sent = app
                .submit_form(&browser, "/password/forgot", "/password/forgot", &[("email", address)])
                .await;
            assert_eq!(sent.status(), StatusCode::OK, "the same answer whether or not the address exists");
        }
        let mail = crate::mail::delivered_to_mailbox(&app, &email).await;
        let link =
            mail.lines().find(|l| l.contains("/password/reset/")).expect("a reset link").trim().to_string();
        let path = link.trim_start_matches(&app.base).to_string();
        let reset = app.submit_form(&browser, &path, &path, &[("password", "a brand new long phrase")]).await;
        assert_eq!(reset.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.api_get(&old_token, "/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED,
            "old tokens end"
        );
        assert_eq!(app.request_token(&email, "a brand new long phrase", None).await.status(), StatusCode::OK);
        assert_eq!(browser.get(&link).send().await.unwrap().status(), StatusCode::GONE, "used once");
    }
);

/// The invitation mail reaches a real SMTP server; while that server is down
/// the mailer keeps the message and retries, and delivers once it is back.
async fn invitation_mail_survives_an_smtp_outage(backend: Backend) {
    let port = free_port();
    let port_text = port.to_string();
    let overrides = [("mail.transport", "smtp"), ("mail.smtp_port", port_text.as_str())];
    let Some(app) = TestApp::start_with(backend, &overrides).await else { return };
    let admin = app.admin().await;
    let clinic = app.clinic("North").await;
    invite(&app, &app.token(&admin.email).await, &clinic.clinic.id, "noor@north.test").await;

    let mailer = icbt::mail::Mailer::from_settings(&app.state.settings.mail).unwrap();
    let down = icbt::mail::deliver_due(&app.state, &mailer, "test-worker").await.unwrap();
    assert_eq!((down.sent, down.retrying), (0, 1), "SMTP is down: kept for a retry");
    let again = icbt::mail::deliver_due(&app.state, &mailer, "test-worker").await.unwrap();
    assert_eq!(again.sent + again.retrying, 0, "not retried before its backoff");

    let maildir = app.dir.path().join("maildir");
    let smtp = SmtpServer::start(port, &maildir).await;
    app.state.clock.advance(Duration::minutes(2));
    let up = icbt::mail::deliver_due(&app.state, &mailer, "test-worker").await.unwrap();
    assert_eq!(up.sent, 1);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(header(message, "To"), Some("noor@north.test"));
    assert!(header(message, "Message-ID").is_some_and(|id| id.starts_with('<') && id.contains('@')));
    assert!(decoded_body(message).contains("/invitations/"), "the link is in the mail");
    assert!(!message.contains(PASSWORD));

    app.state.clock.advance(Duration::hours(2));
    let later = icbt::mail::deliver_due(&app.state, &mailer, "test-worker").await.unwrap();
    assert_eq!(later.sent, 0, "delivered once");
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_mail_survives_an_smtp_outage_sqlite() {
    invitation_mail_survives_an_smtp_outage(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_mail_survives_an_smtp_outage_postgres() {
    invitation_mail_survives_an_smtp_outage(Backend::Postgres).await;
}

/// After `mail.max_attempts` failures a message is dead-lettered; an
/// administrator sees it and queues it again.
async fn undeliverable_mail_is_dead_lettered_and_retried(backend: Backend) {
    let port = free_port().to_string();
    let overrides =
        [("mail.transport", "smtp"), ("mail.smtp_port", port.as_str()), ("mail.max_attempts", "3")];
    let Some(app) = TestApp::start_with(backend, &overrides).await else { return };
    let admin = app.admin().await;
    let clinic = app.clinic("North").await;
    let admin_token = app.token(&admin.email).await;
    invite(&app, &admin_token, &clinic.clinic.id, "noor@north.test").await;
    let mailer = icbt::mail::Mailer::from_settings(&app.state.settings.mail).unwrap();
    let mut dead = 0;
    for _ in 0..3 {
        dead += icbt::mail::deliver_due(&app.state, &mailer, "w").await.unwrap().dead;
        app.state.clock.advance(Duration::hours(2));
    }
    assert_eq!(dead, 1, "dead after three attempts");
    let listed: Value = app.api_get(&admin_token, "/api/v1/outbox?status=dead").await.json().await.unwrap();
    let message = &listed["messages"][0];
    assert_eq!(message["attempts"], 3);
    assert!(message["last_error"].as_str().is_some_and(|e| !e.contains("noor@north.test")), "{message}");
    let id = message["id"].as_str().unwrap();
    let retried = app.api_post(&admin_token, &format!("/api/v1/outbox/{id}/retry"), json!({})).await;
    assert_eq!(retried.status(), StatusCode::NO_CONTENT);
    let smtp = SmtpServer::start(port.parse().unwrap(), &app.dir.path().join("maildir")).await;
    assert_eq!(icbt::mail::deliver_due(&app.state, &mailer, "w").await.unwrap().sent, 1);
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeliverable_mail_is_dead_lettered_and_retried_sqlite() {
    undeliverable_mail_is_dead_lettered_and_retried(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeliverable_mail_is_dead_lettered_and_retried_postgres() {
    undeliverable_mail_is_dead_lettered_and_retried(Backend::Postgres).await;
}

db_test!(
    async fn account_settings_change_the_password_and_end_sessions(app: TestApp) {
        let clinic = app.clinic("North").await;
        let email = clinic.therapist.email.clone();
        let other_device = app.browser_login(&email).await;
        let browser = app.browser_login(&email).await;
        let wrong = app
            .submit_form(
                &browser,
                "/account",
                "/account/password",
                &[("current_password", "not it at all"), ("new_password", "a fresh long phrase")],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let changed = app
            .submit_form(
                &browser,
                "/account",
                "/account/password",
                &[("current_password", PASSWORD), ("new_password", "a fresh long phrase")],
            )
            .await;
        assert_eq!(changed.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            browser.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::OK,
            "this browser stays in"
        );
        assert_eq!(
            other_device.get(app.url("/account")).send().await.unwrap().status(),
            StatusCode::SEE_OTHER,
            "others are out"
        );
        assert_eq!(app.request_token(&email, "a fresh long phrase", None).await.status(), StatusCode::OK);

        let dutch = app.submit_form(&browser, "/account", "/account/language", &[("locale", "nl")]).await;
        assert_eq!(dutch.status(), StatusCode::SEE_OTHER);
        let page = browser.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains("<html lang=\"nl\">") && page.contains("Overal uitloggen"),
            "the chosen language"
        );

        let out = app.submit_form(&browser, "/account", "/account/sessions/end-all", &[]).await;
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        let to = out.headers()["location"].to_str().unwrap().to_string();
        let said = browser.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
        assert!(
            crate::support::visible_text(&said).contains("Je bent op al je apparaten uitgelogd."),
            "{to}"
        );
        assert_eq!(browser.get(app.url("/account")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_mailbox_shows_mail_only_in_development() {
    let app = TestApp::start_with(Backend::Sqlite, &[("environment", "development")]).await.unwrap();
    let admin = app.admin().await;
    let clinic = app.clinic("North").await;
    invite(&app, &app.token(&admin.email).await, &clinic.clinic.id, "noor@north.test").await;
    crate::mail::delivered_to_mailbox(&app, "noor@north.test").await;
    let list = app.get("/dev/mailbox").await.text().await.unwrap();
    assert!(list.contains("Your icbt account") && list.contains("noor@north.test"), "{list}");
    let file = list.split("href=\"/dev/mailbox/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let message = app.get(&format!("/dev/mailbox/{file}")).await.text().await.unwrap();
    // Decoded as a mail program shows it: headers as fields, the body as text.
    assert!(message.contains("<h1>Your icbt account</h1>"), "{message}");
    let seen = crate::support::visible_text(&message);
    assert!(seen.contains("North has made an icbt account for you."), "{seen}");
    assert!(!seen.contains("Content-Transfer-Encoding") && !seen.contains("=20"), "no raw MIME: {seen}");
    assert_eq!(app.get("/dev/mailbox/..%2Fetc%2Fpasswd").await.status(), StatusCode::NOT_FOUND);

    let test_env = TestApp::start(Backend::Sqlite).await;
    assert_eq!(test_env.get("/dev/mailbox").await.status(), StatusCode::NOT_FOUND);
}
