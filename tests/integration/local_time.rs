//! Every date and time a person reads is in their own time zone (a profile
//! setting, their clinic's by default) and in their language's format.

use reqwest::StatusCode;

/// 13:05 UTC: 14:05 in Amsterdam, 09:05 on Curaçao.
const NOW: &str = "2026-12-03T13:05:00Z";

async fn page(browser: &reqwest::Client, app: &crate::support::TestApp, path: &str) -> String {
    let response = browser.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

db_test!(
    ["clock.start" => NOW, "care.timezone" => "Europe/Amsterdam"],
    async fn times_read_in_the_readers_zone_the_clinics_by_default(app: TestApp) {
        use icbt::entities::audit_log;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let clinic = app.clinic("West").await;
        let patient = app.patient(&clinic.therapist.email, "anna@west.test", "chronic-pain").await;
        app.message_from(&patient.token, "Is it normal to feel sore after walking?").await;
        let record = format!("/patients/{}", patient.id);

        // Nobody chose a zone: the deployment's, in the reader's language.
        let therapist = app.browser_login(&clinic.therapist.email).await;
        let html = page(&therapist, &app, &record).await;
        assert!(html.contains("3 Dec 2026, 14:05"), "Amsterdam time on the record");
        let seen = crate::support::visible_text(&html);
        assert!(!seen.contains("UTC") && !seen.contains("2026-12-03"), "no stored form shows: {seen}");

        // The clinic moves to Curaçao time: everyone there without their own
        // zone reads it, and the change is audited.
        let admin = app.admin().await;
        let admin_browser = app.browser_login(&admin.email).await;
        let clinic_page = format!("/admin/clinics/{}", clinic.clinic.id);
        let action = format!("{clinic_page}/timezone");
        let saved = app.submit_form(&admin_browser, &clinic_page, &action, &[("timezone", "America/Curacao")]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let html = page(&therapist, &app, &record).await;
        assert!(html.contains("3 Dec 2026, 09:05") && !html.contains("14:05"), "Curaçao time on the record");
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("clinic.timezone_changed"))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(audited.len(), 1);

        // Typed text is not a zone: refused, nothing saved.
        let refused = app.submit_form(&admin_browser, &clinic_page, &action, &[("timezone", "Amsterdam")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("Choose a time zone from the list."));
        assert!(page(&therapist, &app, &record).await.contains("09:05"), "the clinic's zone is unchanged");

        // The patient reads Dutch, in her own zone, whatever the clinic's.
        let browser = app.browser_login(&patient.email).await;
        let lang = app.submit_form(&browser, "/account", "/account/language", &[("locale", "nl")]).await;
        assert_eq!(lang.status(), StatusCode::SEE_OTHER);
        let html = page(&browser, &app, "/messages").await;
        assert!(html.contains("3 dec. 2026, 09:05"), "the clinic's zone, in Dutch");
        let own = app.submit_form(&browser, "/account", "/account/timezone", &[("timezone", "Europe/Amsterdam")]).await;
        assert_eq!(own.status(), StatusCode::SEE_OTHER);
        let account = page(&browser, &app, own.headers()["location"].to_str().unwrap()).await;
        assert!(account.contains("Je tijdzone is opgeslagen."), "confirmed");
        assert!(account.contains(" selected>Amsterdam (Europe"), "the choice is shown");
        let html = page(&browser, &app, "/messages").await;
        assert!(html.contains("3 dec. 2026, 14:05"), "her own zone");
        // The therapist still reads the clinic's.
        assert!(page(&therapist, &app, &record).await.contains("09:05"));

        // Back to "the clinic's".
        app.submit_form(&browser, "/account", "/account/timezone", &[("timezone", "")]).await;
        assert!(page(&browser, &app, "/messages").await.contains("3 dec. 2026, 09:05"));
    }
);
