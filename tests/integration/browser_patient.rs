//! A patient's first week in a real headless Chromium: from the invitation
//! link to reading feedback, each page checked with axe-core.

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::support::{browser::Browser, Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_goes_from_invitation_to_feedback_in_the_browser() {
    let Some(mut browser) = Browser::start("patient-walk").await else { return };
    let app = TestApp::start(Backend::Sqlite).await;
    let clinic = app.clinic("North").await;
    let therapist = app.token(&clinic.therapist.email).await;
    let enrolled: Value = app
        .api_post(
            &therapist,
            "/api/v1/patients",
            json!({
                "email": "anna@north.test", "case_code": "P-001", "program": "chronic-pain",
                "feedback_cadence": "weekly", "feedback_weekday": "thu"
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let invitation = enrolled["invitation_url"].as_str().unwrap();
    let patient_id = enrolled["id"].as_str().unwrap();

    // Set a password from the invitation link.
    browser.visit(invitation, "invitation").await;
    browser.fill("#password", "short").await;
    browser.submit("button[type=submit]", "weak-password").await;
    assert!(browser.text().await.contains("at least 12"), "the reason is shown");
    browser.fill("#password", "sunny walks by the river").await;
    browser.submit("button[type=submit]", "home").await;
    assert_eq!(browser.path().await, "/home");
    // A first visit: welcomed as one, the therapist named, one next step as
    // a button (the baseline questionnaires first), the rest grouped under it.
    let home = browser.text().await;
    assert!(home.contains("Welcome") && !home.contains("Welcome back"), "{home}");
    assert!(home.contains("is your therapist"), "the therapist is named: {home}");
    let order =
        ["Your next step", "Fill in PHQ-9 (mood)", "Start here", "Also to do", "Fill in GAD-7", "Module 1"];
    crate::support::browser::assert_in_order(&home, &order);
    assert_eq!(browser.client.find_all(Locator::Css(".next-step a.button")).await.unwrap().len(), 1);

    // Read a page and mark it done.
    browser.submit(".next-step a[href='/items/pain-welcome']", "first-page").await;
    assert_eq!(browser.path().await, "/items/pain-welcome");
    browser.submit("form[action$='/done'] button", "second-page").await;
    browser.submit("form[action$='/done'] button", "assignment").await;
    assert_eq!(browser.path().await, "/items/pain-my-goals");

    // The assignment: sent empty first, then filled in.
    browser.submit("button[value=submit]", "assignment-errors").await;
    let text = browser.text().await;
    assert!(text.contains("Some fields need attention") && text.contains("Please fill this in"), "{text}");
    // With script on, what the patient types is saved as a draft on its own.
    browser.fill("#f-stopped_doing", "Long walks with the dog").await;
    crate::browser_patient::wait_for_draft(&app, "Long walks with the dog").await;
    browser.click("input[name=areas]").await;
    browser.fill("#f-goal_1", "Walk to the market on Saturday").await;
    browser.click("input[name=goal_1_importance][value='8']").await;
    browser.fill("#f-goal_1_first_step", "Walk to the corner and back").await;
    browser.click("input[name=goal_1_confidence][value='6']").await;
    browser.submit("button[value=submit]", "assignment-sent").await;
    let text = browser.text().await;
    assert!(text.contains("Sent. Your therapist will read it."));
    // What was sent is shown to read, in the form's order, choices by label.
    assert!(browser.client.find(Locator::Css("form[action$='/answers']")).await.is_err(), "{text}");
    let sent = browser.client.find(Locator::Css("section.sent")).await.unwrap().text().await.unwrap();
    let order = [
        "Family and partner",
        "Long walks with the dog",
        "Walk to the market on Saturday",
        "8 / 10",
        "Walk to the corner and back",
        "6 / 10",
    ];
    crate::support::browser::assert_in_order(&sent, &order);
    assert!(!sent.contains("family") && !sent.contains("goal_1"), "no codes: {sent}");
    browser.visit(&app.url("/items/pain-my-goals"), "assignment-read-again").await;
    assert!(browser.client.find(Locator::Css("section.sent")).await.is_ok(), "coming back shows it again");
    browser.submit("a[href='/items/pain-my-goals?edit']", "assignment-change").await;
    let goal = browser.client.find(Locator::Css("#f-goal_1")).await.unwrap();
    assert_eq!(goal.prop("value").await.unwrap().as_deref(), Some("Walk to the market on Saturday"));

    // Today's pain diary.
    browser.visit(&app.url("/items/pain-level-diary"), "diary").await;
    browser.click("input[name=pain][value='6']").await;
    browser.click("input[name=interference][value='4']").await;
    browser.submit("form[action$='/entry'] button[type=submit]", "diary-saved").await;
    assert!(browser.text().await.contains("Your diary is saved."));
    let chart = browser.client.find(Locator::Css("svg.line-chart circle")).await;
    assert!(chart.is_ok(), "today's value is on the chart");

    // The baseline questionnaires: PHQ-9 first.
    browser.visit(&app.url("/questionnaires"), "questionnaires").await;
    browser.submit("a[href='/questionnaires/phq-9']", "phq-9").await;
    for n in 1..=9 {
        browser.click(&format!("input[name=phq9-{n}][value='{}']", if n == 9 { 0 } else { 1 })).await;
    }
    browser.submit("form[action='/questionnaires/phq-9'] button", "phq-9-score").await;
    assert!(browser.text().await.contains("Your score is 8 out of 27."));

    // A message to the therapist, and the feedback that comes back.
    browser.visit(&app.url("/messages"), "inbox").await;
    browser.fill("#body", "The walk to the corner went well.").await;
    browser.submit("form[action='/messages'] button", "message-sent").await;
    // Feedback with paragraphs, a line break and text that looks like markup.
    let body = "Well done on that first walk!\n\nNext week: <b>two</b> walks.\nSee you then.";
    app.send_feedback(&therapist, patient_id, body).await;
    browser.visit(&app.url("/home"), "home-with-feedback").await;
    assert!(browser.text().await.contains("1 new message"));
    browser.visit(&app.url("/messages"), "feedback").await;
    let text = browser.text().await;
    assert!(text.contains("Well done on that first walk!") && text.contains("feedback"), "{text}");
    assert!(
        text.contains("Next week: <b>two</b> walks.\nSee you then."),
        "typed markup shows as typed: {text}"
    );
    assert!(!text.contains("<br>") && !text.contains("&lt;"), "no markup of our own shows: {text}");
    let paragraphs = browser.client.find_all(Locator::Css(".message.feedback .body p")).await.unwrap();
    assert_eq!(paragraphs.len(), 2, "the blank line makes two paragraphs");
    assert!(browser.client.find(Locator::Css(".message.feedback .body b")).await.is_err(), "inert");

    browser.visit(&app.url("/program"), "program").await;
    browser.visit(&app.url("/my-data"), "my-data").await;
    browser.visit(&app.url("/settings/reminders"), "reminders").await;
    browser.click("input[name=enabled]").await;
    browser.submit("form[action='/settings/reminders'] button[type=submit]", "reminder-saved").await;
    assert!(browser.client.find(Locator::Css("input[name=enabled]:checked")).await.is_ok(), "saved");

    // On a 360 px wide phone nothing needs sideways scrolling.
    browser.client.set_window_size(360, 800).await.unwrap();
    for path in ["/home", "/items/pain-activity-diary", "/questionnaires/gad-7", "/messages"] {
        browser.visit(&app.url(path), &format!("phone{}", path.replace('/', "-"))).await;
        let overflow = browser
            .client
            .execute("return document.documentElement.scrollWidth - window.innerWidth", vec![])
            .await
            .unwrap();
        assert!(overflow.as_i64().unwrap_or(1) <= 0, "{path} scrolls sideways by {overflow} px at 360 px");
        let text = browser.text().await;
        assert!(!text.contains("Some fields need attention"), "{path} opens without an error summary");
    }
    browser.close().await;
}

/// Waits (bounded) until the autosave script has stored a draft holding `text`.
pub async fn wait_for_draft(app: &TestApp, text: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let drafts = icbt::entities::submissions::Entity::find()
            .filter(icbt::entities::submissions::Column::Status.eq("draft"))
            .all(&app.state.db)
            .await
            .unwrap();
        if drafts.iter().any(|d| d.answers.contains(text)) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "autosave never stored the draft");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
