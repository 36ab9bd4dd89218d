//! A therapist's day in headless Chromium: enroll a patient, see their
//! activity on the caseload, write feedback, see the counts clear. Every page
//! is checked with axe-core.

use serde_json::json;

use crate::support::{accounts::PASSWORD, browser::Browser, Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_therapist_enrolls_follows_up_and_writes_feedback_in_the_browser() {
    let Some(mut browser) = Browser::start("therapist-walk").await else { return };
    let app = TestApp::start(Backend::Sqlite).await;
    let clinic = app.clinic("North").await;

    browser.visit(&app.url("/login"), "login").await;
    browser.fill("#email", &clinic.therapist.email).await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form[action='/login'] button", "caseload-empty").await;
    assert_eq!(browser.path().await, "/caseload");

    browser.submit("a[href='/patients/new']", "enroll").await;
    browser.fill("#email", "anna@north.test").await;
    browser.fill("#case_code", "P-042").await;
    browser.fill("#name", "Anna").await;
    browser.click("#program option[value=chronic-pain]").await;
    browser.submit("form[action='/patients/new'] button[type=submit]", "enrolled").await;
    let text = browser.text().await;
    assert!(text.contains("The patient is enrolled"), "{text}");
    let invitation = text.lines().find(|l| l.contains("/invitations/")).unwrap().trim().to_string();

    // The patient accepts and is active for a day.
    let token = invitation.rsplit('/').next().unwrap();
    let accepted = app
        .client
        .post(app.url(&format!("/api/v1/invitations/{token}/accept")))
        .json(&json!({"password": "sunny walks by the river"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let anna = app
        .request_token("anna@north.test", "sunny walks by the river", None)
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let anna = anna["token"].as_str().unwrap().to_string();
    let today = icbt::diaries::service::today(&app.state).to_string();
    app.api_post(
        &anna,
        "/api/v1/me/diaries/pain-level-diary/entries",
        json!({"date": today, "values": {"pain": 6, "interference": 4}}),
    )
    .await;
    app.message_from(&anna, "Walking hurt less today.").await;
    app.answer_phq9(&anna, 1, 1).await;

    browser.visit(&app.url("/caseload"), "caseload-with-activity").await;
    let text = browser.text().await;
    assert!(
        text.contains("P-042") && text.contains("1 unanswered message") && text.contains("1 diary"),
        "{text}"
    );

    // A snippet to start the feedback from.
    browser.visit(&app.url("/snippets"), "snippets").await;
    browser.fill("#title", "Well done").await;
    browser.fill("#snippet-body", "Well done, {first_name}! Keep going with {module}.").await;
    browser.submit("form[action='/snippets'] button[type=submit]", "snippet-saved").await;

    browser.visit(&app.url("/caseload"), "caseload-again").await;
    browser.submit("a[href^='/patients/']:not([href='/patients/new'])", "record").await;
    assert!(browser.text().await.contains("Walking hurt less today."));
    assert!(
        browser.client.find(fantoccini::Locator::Css("svg.score-chart rect.band")).await.is_ok(),
        "PHQ-9 on its bands"
    );
    browser.submit("button[name=snippet]", "snippet-used").await;
    let draft = browser
        .client
        .find(fantoccini::Locator::Css("#body"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(draft, "Well done, Anna! Keep going with Your goals.");
    browser.submit("button[value=preview]", "preview").await;
    assert!(browser.text().await.contains("How the patient will see it"));
    browser.submit("button[value=send]", "feedback-sent").await;
    assert!(browser.text().await.contains("Nothing new since your last feedback"));

    browser.visit(&app.url("/caseload"), "caseload-cleared").await;
    let text = browser.text().await;
    assert!(text.contains("0 diary") && !text.contains("unanswered"), "{text}");
    browser.visit(&app.url("/notifications"), "notifications").await;
    let text = browser.text().await;
    assert!(text.contains("No activity in the last two weeks"), "what was seen is no digest: {text}");
    browser.visit(&app.url("/my-figures"), "my-figures").await;
    assert!(browser.text().await.contains("Feedback given"));
    browser.visit(&app.url("/settings/digests"), "digest-settings").await;
    browser.visit(&app.url("/cover"), "cover").await;
    browser.close().await;
}
