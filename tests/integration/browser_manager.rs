//! A manager in headless Chromium: opens the uptake report, changes the
//! period, downloads the CSV. Every page is checked with axe-core.

use crate::support::{accounts::PASSWORD, browser::Browser, Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_the_report_changes_the_period_and_downloads_csv() {
    let Some(mut browser) = Browser::start("manager-walk").await else { return };
    let app = TestApp::start(Backend::Sqlite).await;
    let clinic = app.clinic("North").await;
    for n in 1..=5 {
        app.patient(&clinic.therapist.email, &format!("p{n}@north.test"), "chronic-pain").await;
    }

    browser.visit(&app.url("/login"), "login").await;
    browser.fill("#email", &clinic.manager.email).await;
    browser.fill("#password", PASSWORD).await;
    browser.submit("form[action='/login'] button", "after-login").await;
    assert_eq!(browser.path().await, "/reports", "a manager lands on the report");
    browser.visit(&app.url("/reports"), "report").await;
    let text = browser.text().await;
    assert!(text.contains("Uptake report") && text.contains("Enrolled"), "{text}");

    let tomorrow =
        (icbt::diaries::service::today(&app.state) + chrono::Duration::days(1)).format("%m%d%Y").to_string();
    browser.fill("#from", &tomorrow).await;
    browser.fill("#to", &tomorrow).await;
    browser.submit("form.report-filter button[type=submit]", "later-period").await;
    let url = browser.client.current_url().await.unwrap();
    assert!(url.query().is_some_and(|q| q.contains("from=")), "the period is in the address: {url}");
    assert!(browser.text().await.contains("No activity in this period"));

    let csv = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('a[download]').href).then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let csv = csv.as_str().unwrap_or_default();
    assert!(csv.starts_with("section,measure,program,breakdown,value"), "{csv}");
    assert!(csv.contains("reach,enrolled,,,0"), "the chosen period: {csv}");
    browser.close().await;
}
