//! An ended session never costs what was typed: the page says when it ends,
//! a form sent after that is kept for its writer, and after logging in again
//! the writer is back on the form with the text in it (nobody else is).

use chrono::Duration;
use reqwest::StatusCode;

use crate::support::{
    accounts::{csrf_in, PASSWORD},
    visible_text,
};

/// 13:05 UTC, 14:05 in Amsterdam: the session ends at 14:35.
const NOW: &str = "2026-12-03T13:05:00Z";
const TYPED: &str = "I walked twice <b>today</b>\n\nand slept better.";

async fn html(browser: &reqwest::Client, app: &crate::support::TestApp, path: &str) -> String {
    let response = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// Sends the message form of `page` (as loaded before) after the session ended.
async fn send_late(
    app: &crate::support::TestApp,
    browser: &reqwest::Client,
    page: &str,
) -> reqwest::Response {
    let csrf = csrf_in(page).expect("a form token");
    assert!(page.contains(r#"name="@page" value="&#x2F;messages""#), "the form says which page it is on");
    app.state.clock.advance(Duration::minutes(31));
    let form = [("csrf", csrf.as_str()), ("@page", "/messages"), ("body", TYPED)];
    browser.post(app.url("/messages")).form(&form).send().await.unwrap()
}

async fn log_in_again(app: &crate::support::TestApp, browser: &reqwest::Client, email: &str) -> String {
    let login = "/login?kept=1&next=%2Fmessages";
    let fields = [("email", email), ("password", PASSWORD), ("next", "/messages")];
    let response = app.submit_form(browser, login, "/login", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["location"].to_str().unwrap().to_string()
}

db_test!(
    ["clock.start" => NOW, "care.timezone" => "Europe/Amsterdam"],
    async fn typing_survives_an_ended_session_for_its_writer_only(app: TestApp) {
        let clinic = app.clinic("West").await;
        let patient = app.patient(&clinic.therapist.email, "anna@west.test", "chronic-pain").await;
        let browser = app.browser_login(&patient.email).await;
        let page = html(&browser, &app, "/messages").await;
        let seen = visible_text(&page);
        assert!(seen.contains("at 14:35, unless you carry on"), "the page says when the session ends: {seen}");

        // Sent after the idle limit: kept, and off to log in again.
        let late = send_late(&app, &browser, &page).await;
        assert_eq!(late.status(), StatusCode::SEE_OTHER);
        let to = late.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, "/login?kept=1&next=%2Fmessages");
        let login = visible_text(&html(&browser, &app, &to).await);
        assert!(login.contains("What you typed is kept"), "{login}");
        let thread: serde_json::Value = app.api_get(&patient.token, "/api/v1/me/messages").await.json().await.unwrap();
        let sent = thread.as_array().or(thread["messages"].as_array()).map(Vec::len);
        assert_eq!(sent, Some(0), "nothing was sent");

        // Back on the form with the text in it, once; not sent until she sends it.
        let back = log_in_again(&app, &browser, &patient.email).await;
        assert_eq!(back, "/messages");
        let page = html(&browser, &app, &back).await;
        assert!(page.contains("I walked twice &lt;b&gt;today&lt;&#x2F;b&gt;") || page.contains("I walked twice &lt;b&gt;today&lt;/b&gt;"), "the text is back, inert");
        assert!(visible_text(&page).contains("is back in the form below; it has not been sent yet"));
        let again = html(&browser, &app, "/messages").await;
        assert!(!again.contains("I walked twice"), "shown once");

        // Someone else logging in on that browser gets nothing back.
        let page = html(&browser, &app, "/messages").await;
        let late = send_late(&app, &browser, &page).await;
        assert_eq!(late.status(), StatusCode::SEE_OTHER);
        let colleague = app.patient(&clinic.therapist.email, "ben@west.test", "chronic-pain").await;
        let landed = log_in_again(&app, &browser, &colleague.email).await;
        let page = html(&browser, &app, &landed).await;
        assert!(!page.contains("I walked twice") && !page.contains("has not been sent yet"), "not for Ben");
    }
);

/// With script, the page offers to stay logged in before the idle limit,
/// counted from the server's seconds left (not the device's clock); staying
/// resets it and the note names the new end time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_offers_to_stay_logged_in_before_the_session_ends() {
    use crate::support::{browser::Browser, Backend, TestApp};
    let Some(mut browser) = Browser::start("session-stay").await else { return };
    // A one-minute idle limit: the offer comes 45 seconds before the end.
    let settings = [("care.timezone", "Europe/Amsterdam"), ("auth.session_idle_minutes", "1")];
    let app = TestApp::start_with(Backend::Sqlite, &settings).await.unwrap();
    let clinic = app.clinic("West").await;
    let patient = app.patient(&clinic.therapist.email, "anna@west.test", "chronic-pain").await;
    browser.log_in(&app, &patient.email).await;
    browser.visit(&app.url("/messages"), "one-minute-left").await;
    // Seen, not only present: laid out and not display: none.
    let shown = |visible: bool| {
        format!(
            "const b = document.querySelector('.session-warning'); \
             return !!b && (getComputedStyle(b).display !== 'none') === {visible}"
        )
    };
    wait_for(&browser, &shown(true), "the offer to stay", 40).await;
    assert!(browser.text().await.contains("You will be logged out soon"));
    browser.shot_of(".session-warning", "offer-to-stay").await;

    browser.click(".session-warning button").await;
    wait_for(&browser, &shown(false), "stayed: the offer is gone", 10).await;
    // The new end, a minute from the keep-alive, in the reader's zone.
    let at = |s: i64| {
        let ends = app.state.clock.now() + Duration::seconds(s);
        ends.with_timezone(&chrono_tz::Europe::Amsterdam).format("at %H:%M").to_string()
    };
    let moved = format!(
        "const t = document.getElementById('session-end').textContent.replace(/[\\u2068\\u2069]/g, ''); \
         return t.includes('{}') || t.includes('{}')",
        at(58),
        at(61)
    );
    wait_for(&browser, &moved, "the new end time", 10).await;
    browser.page_loaded("stayed-logged-in").await;
    browser.close().await;
}

async fn wait_for(browser: &crate::support::browser::Browser, script: &str, what: &str, seconds: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let done = browser.client.execute(script, vec![]).await.ok().and_then(|v| v.as_bool());
        if done == Some(true) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: not shown in time");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

db_test!(
    async fn a_form_shown_again_with_errors_still_knows_its_page(app: TestApp) {
        let clinic = app.clinic("West").await;
        let patient = app.patient(&clinic.therapist.email, "anna@west.test", "chronic-pain").await;
        let browser = app.browser_login(&patient.email).await;
        let fields = [("@page", "/messages"), ("body", "  ")];
        let refused = app.submit_form(&browser, "/messages", "/messages", &fields).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = refused.text().await.unwrap();
        // So a second try after the session ended is kept and comes back here.
        assert!(page.contains(r#"name="@page" value="&#x2F;messages""#), "{page}");
        let late = send_late(&app, &browser, &page).await;
        assert_eq!(late.headers()["location"], "/login?kept=1&next=%2Fmessages");
    }
);
