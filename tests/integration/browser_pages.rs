//! Every page of every role, at 1280 px and on a 360 px phone, in headless
//! Chromium: axe-core finds no WCAG violation of any impact, nothing scrolls
//! sideways, and on the phone every control is a target of at least 44 px.
//! Each page is kept as a screenshot (tests/artifacts/every-page-<role>/).

use crate::support::{browser::Browser, Backend, TestApp};

/// Controls smaller than 44 × 44 px, except links inside running text
/// (WCAG 2.5.8 exempts inline targets) and the radio or checkbox inside a
/// label, whose target is the label.
const SMALL_TARGETS: &str = r#"
    const small = [];
    const controls = 'a, button, select, textarea, label.choice, label.point, ' +
                     'input:not([type=hidden]):not([type=radio]):not([type=checkbox])';
    for (const el of document.querySelectorAll(controls)) {
        if (el.tagName === 'A' && el.closest('p, dd, td, .meta, .site-footer, .text, .message, .prose')) continue;
        if (el.classList.contains('skip-link')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.height < 44 || r.width < 44) {
            small.push(`${el.outerHTML.slice(0, 100)} (${Math.round(r.width)} × ${Math.round(r.height)})`);
        }
    }
    return small;
"#;

/// Visits `pages` as `email` at both widths; what is wrong goes to `problems`.
/// The innermost elements that reach past the right edge, for the message.
const TOO_WIDE: &str = r#"
    const wide = [...document.querySelectorAll('body *')].filter(el => {
        const r = el.getBoundingClientRect();
        return r.right > window.innerWidth + 1 && !el.closest('.table-scroll')
            && ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1);
    });
    return wide.slice(0, 3).map(el => el.outerHTML.slice(0, 120));
"#;

async fn walk(app: &TestApp, role: &str, email: Option<&str>, pages: &[String], problems: &mut Vec<String>) {
    let Some(mut browser) = Browser::start(&format!("every-page-{role}")).await else { return };
    if let Some(email) = email {
        browser.log_in(app, email).await;
    }
    for (width, height) in [(1280, 1000), (360, 800)] {
        browser.client.set_window_size(width, height).await.unwrap();
        for path in pages {
            let step = format!("{width}{}", path.replace(['/', '?', '=', '&'], "-"));
            browser.visit(&app.url(path), &step).await;
            let overflow = browser
                .client
                .execute("return document.documentElement.scrollWidth - window.innerWidth", vec![])
                .await
                .unwrap();
            if overflow.as_i64().unwrap_or(1) > 0 {
                let wide = browser.client.execute(TOO_WIDE, vec![]).await.unwrap();
                problems
                    .push(format!("{role} {path} scrolls sideways by {overflow} px at {width} px: {wide}"));
            }
            if width == 360 {
                let small = browser.client.execute(SMALL_TARGETS, vec![]).await.unwrap();
                for target in small.as_array().cloned().unwrap_or_default() {
                    problems.push(format!(
                        "{role} {path}: under 44 px at 360 px: {}",
                        target.as_str().unwrap_or("")
                    ));
                }
            }
        }
    }
    // What lies below the fold on a phone: repeatable rows as cards, a scale.
    if role == "patient" {
        browser.visit(&app.url("/items/pain-activity-diary"), "360-rows").await;
        browser.shot_of(".rows-table", "360-rows-as-cards").await;
        browser.visit(&app.url("/items/pain-level-diary"), "360-scale").await;
        browser.shot_of(".scale-points", "360-scale-grid").await;
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_role_reads_well_at_1280_and_360_px() {
    let app = TestApp::start(Backend::Sqlite).await;
    let clinic = app.clinic("North").await;
    let admin = app.admin().await;
    let patient = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
    app.some_treatment(&patient, &clinic.therapist.email).await;
    // A second patient ends above the stepped-care threshold: the record's banner.
    let ended = app.patient(&clinic.therapist.email, "bert@north.test", "chronic-pain").await;
    app.finish_with_pain(&app.token(&clinic.therapist.email).await, &ended, 9).await;
    let owned = |paths: &[&str]| paths.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let mut problems = Vec::new();

    walk(&app, "public", None, &owned(&["/", "/login", "/password/forgot"]), &mut problems).await;
    let patient_pages = owned(&[
        "/home",
        "/program",
        "/items/pain-welcome",
        "/items/pain-my-goals",
        "/items/pain-level-diary",
        "/items/pain-activity-diary",
        "/questionnaires",
        "/questionnaires/phq-9",
        "/messages",
        "/settings/reminders",
        "/my-data",
        "/account",
    ]);
    walk(&app, "patient", Some(&patient.email), &patient_pages, &mut problems).await;
    let record = format!("/patients/{}", patient.id);
    let flagged = format!("/patients/{}", ended.id);
    let therapist_pages = [
        "/caseload",
        record.as_str(),
        flagged.as_str(),
        "/patients/new",
        "/snippets",
        "/cover",
        "/settings/digests",
        "/notifications",
        "/my-figures",
        "/account",
    ];
    walk(&app, "therapist", Some(&clinic.therapist.email), &owned(&therapist_pages), &mut problems).await;
    // The worker's rollup, so the report shows figures (and hidden ones).
    let tz = app.state.settings.care.timezone;
    icbt::usage::rollups::catch_up(&app.state.db, tz, app.state.clock.now()).await.unwrap();
    walk(&app, "manager", Some(&clinic.manager.email), &owned(&["/reports", "/account"]), &mut problems)
        .await;
    let clinic_page = format!("/admin/clinics/{}", clinic.clinic.id);
    let admin_pages =
        ["/admin", clinic_page.as_str(), "/admin/audit", "/admin/outbox", "/admin/usage", "/account"];
    walk(&app, "admin", Some(&admin.email), &owned(&admin_pages), &mut problems).await;
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
