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
    let rows = json!([{"activity": "Walk", "duration_minutes": 20, "how_it_went": 8},
                      {"activity": "Rest on the sofa", "duration_minutes": 30, "how_it_went": 5}]);
    let activity = app
        .api_post(
            &anna,
            "/api/v1/me/diaries/pain-activity-diary/entries",
            json!({"date": today, "values": {"activities": rows, "energy": 4}}),
        )
        .await;
    assert_eq!(activity.status(), 201);
    // Answers stored as JSON objects are, in id order; the record shows the form's order.
    let goals = json!({"answers": {"stopped_doing": "Long walks", "goal_1_importance": 8,
        "goal_1": "Walk to the market", "areas": ["movement"], "goal_1_first_step": "To the corner",
        "goal_1_confidence": 6}});
    let sent = app.api_post(&anna, "/api/v1/me/assignments/pain-my-goals/submissions", goals).await;
    assert_eq!(sent.status(), 201);

    // A snippet to start the feedback from.
    browser.visit(&app.url("/snippets"), "snippets").await;
    browser.fill("#title", "Well done").await;
    browser.fill("#snippet-body", "Well done, {first_name}! Keep going with {module}.").await;
    browser.submit("form[action='/snippets'] button[type=submit]", "snippet-saved").await;

    browser.visit(&app.url("/caseload"), "caseload-again").await;
    browser.submit("a[href^='/patients/']:not([href='/patients/new'])", "record").await;
    let text = browser.text().await;
    assert!(text.contains("Walking hurt less today."));
    let goals = browser.client.find(fantoccini::Locator::Css(".event-assignment")).await.unwrap();
    let goals = goals.text().await.unwrap();
    let order = [
        "In which parts of your life",
        "Movement and health",
        "What have you stopped doing",
        "Long walks",
        "My first goal",
        "Walk to the market",
        "How important",
        "8 / 10",
    ];
    crate::support::browser::assert_in_order(&goals, &order);
    assert!(!goals.contains("movement") && !goals.contains("goal_1"), "no codes or ids: {goals}");
    let headings =
        browser.client.find_all(fantoccini::Locator::Css(".event-diary .answer-table th")).await.unwrap();
    let mut shown = Vec::new();
    for h in headings {
        shown.push(h.text().await.unwrap());
    }
    assert_eq!(shown, ["Activity", "How long (minutes)", "How did it go?"], "rows as a table");
    let cells =
        browser.client.find(fantoccini::Locator::Css(".event-diary .answer-table tbody")).await.unwrap();
    let cells = cells.text().await.unwrap();
    assert!(
        cells.contains("Rest on the sofa") && cells.contains("30 min") && cells.contains("5 / 10"),
        "{cells}"
    );
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
    browser.fill("#body", "Well done, Anna!\n\nKeep going with Your goals.").await;
    browser.submit("button[value=preview]", "preview").await;
    let text = browser.text().await;
    assert!(text.contains("How the patient will see it") && !text.contains("<br>"), "{text}");
    let preview = browser.client.find_all(fantoccini::Locator::Css(".message.feedback p")).await.unwrap();
    assert_eq!(preview.len(), 2, "the blank line is a new paragraph in the preview");
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
