//! The patient record page and what a therapist sets up around it: feedback
//! with snippets, tailoring, status and cadence, contacts, cover, digest
//! preferences.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

db_test!(
    async fn the_record_page_shows_the_timeline_and_sends_feedback(app: TestApp) {
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let today = icbt::diaries::service::today(&app.state).to_string();
        app.api_post(
            &anna.token,
            "/api/v1/me/diaries/pain-level-diary/entries",
            json!({"date": today, "values": {"pain": 7, "interference": 5, "note": "Bad night"}}),
        )
        .await;
        app.api_post(
            &anna.token,
            "/api/v1/me/messages",
            json!({"body": "Is it normal to feel worse at first?"}),
        )
        .await;
        let browser = app.browser_login(&clinic.therapist.email).await;
        let page = format!("/patients/{}", anna.id);
        let html = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("Bad night") && html.contains("Is it normal to feel worse at first?"),
            "the timeline"
        );
        assert!(html.contains("<svg"), "a diary chart");

        let preview = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/feedback"),
                &[("body", "Yes, that happens. Well done."), ("intent", "preview")],
            )
            .await;
        assert_eq!(preview.status(), StatusCode::OK);
        assert!(preview.text().await.unwrap().contains("How the patient will see it"));
        let empty = app
            .submit_form(&browser, &page, &format!("{page}/feedback"), &[("body", " "), ("intent", "send")])
            .await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let sent = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/feedback"),
                &[("body", "Yes, that happens. Well done."), ("intent", "send")],
            )
            .await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER);
        let html = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Nothing new since your last feedback"));
        let mine: Value = app.api_get(&anna.token, "/api/v1/me/messages").await.json().await.unwrap();
        assert_eq!(mine["messages"][1]["is_feedback"], true);

        let opened = app
            .submit_form(&browser, &page, &format!("{page}/modules/understanding-pain"), &[("state", "open")])
            .await;
        assert_eq!(opened.status(), StatusCode::SEE_OTHER);
        let program: Value = app.api_get(&anna.token, "/api/v1/me/program").await.json().await.unwrap();
        assert_eq!(program["modules"][1]["state"], "open", "tailoring changes what the patient sees");

        let other = app.browser_login(&clinic.colleague.email).await;
        assert_eq!(other.get(app.url(&page)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    }
);

db_test!(
    async fn older_history_on_the_record_is_paged(app: TestApp) {
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        for day in 0..30 {
            let today = icbt::diaries::service::today(&app.state).to_string();
            let note = format!("Entry number {day:02}");
            let saved = app
                .api_post(
                    &anna.token,
                    "/api/v1/me/diaries/pain-level-diary/entries",
                    json!({"date": today, "values": {"pain": 4, "interference": 3, "note": note}}),
                )
                .await;
            assert_eq!(saved.status(), StatusCode::CREATED);
            app.state.clock.advance(Duration::days(1));
        }
        // A month has passed: the bearer tokens from the start have expired.
        let therapist = app.token(&clinic.therapist.email).await;
        let anna_token = app.token(&anna.email).await;
        app.send_feedback(&therapist, &anna.id, "Thank you for keeping the diary.").await;
        app.state.clock.advance(Duration::hours(1));
        let today = icbt::diaries::service::today(&app.state).to_string();
        app.api_post(
            &anna_token,
            "/api/v1/me/diaries/pain-level-diary/entries",
            json!({"date": today, "values": {"pain": 2, "interference": 1, "note": "After the feedback"}}),
        )
        .await;

        let browser = app.browser_login(&clinic.therapist.email).await;
        let page = format!("/patients/{}", anna.id);
        let first = browser.get(app.url(&page)).send().await.unwrap().text().await.unwrap();
        let (new, earlier) = first.split_once("id=\"earlier-title\"").expect("an earlier section");
        assert!(new.contains("After the feedback") && !new.contains("Entry number"), "new since feedback");
        assert!(
            earlier.contains("Thank you for keeping the diary"),
            "the feedback heads the earlier history"
        );
        assert!(earlier.contains("Entry number 29") && earlier.contains("Entry number 06"));
        assert!(!earlier.contains("Entry number 05"), "25 a page, newest first");
        assert!(earlier.contains("?page=2"), "a link to older history");

        let second =
            browser.get(app.url(&format!("{page}?page=2"))).send().await.unwrap().text().await.unwrap();
        assert!(second.contains("Entry number 05") && second.contains("Entry number 00"));
        assert!(!second.contains("Entry number 06") && !second.contains("After the feedback"));
        assert!(!second.contains("?page=3") && second.contains("rel=\"prev\""), "the last page");
    }
);

db_test!(
    async fn status_cadence_and_reinvitation_from_the_record(app: TestApp) {
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&clinic.therapist.email).await;
        let page = format!("/patients/{}", anna.id);
        let no_reason = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/status"),
                &[("status", "stepped_up"), ("reason", "")],
            )
            .await;
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY, "stepping up needs a reason");
        let stepped = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/status"),
                &[("status", "stepped_up"), ("reason", "Still severe pain at the end")],
            )
            .await;
        assert_eq!(stepped.status(), StatusCode::SEE_OTHER);
        let therapist = app.token(&clinic.therapist.email).await;
        let record: Value =
            app.api_get(&therapist, &format!("/api/v1/patients/{}", anna.id)).await.json().await.unwrap();
        assert_eq!(record["status"], "stepped_up");

        let cadence = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/cadence"),
                &[("feedback_cadence", "fortnightly"), ("feedback_weekday", "tue")],
            )
            .await;
        assert_eq!(cadence.status(), StatusCode::SEE_OTHER);
        let record: Value =
            app.api_get(&therapist, &format!("/api/v1/patients/{}", anna.id)).await.json().await.unwrap();
        assert_eq!(
            (record["feedback_cadence"].as_str(), record["feedback_weekday"].as_str()),
            (Some("fortnightly"), Some("tue"))
        );

        // A patient who has not started yet can be sent a new invitation.
        let enrolled: Value = app
            .api_post(
                &therapist,
                "/api/v1/patients",
                json!({"email": "bob@north.test", "case_code": "B-1", "program": "chronic-pain",
                "feedback_cadence": "weekly", "feedback_weekday": "mon"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let bob = enrolled["id"].as_str().unwrap();
        let bob_page = format!("/patients/{bob}");
        let again = app.submit_form(&browser, &bob_page, &format!("{bob_page}/reinvite"), &[]).await;
        assert_eq!(again.status(), StatusCode::SEE_OTHER);
        let old = enrolled["invitation_url"].as_str().unwrap().rsplit('/').next().unwrap();
        let stale = app
            .client
            .post(app.url(&format!("/api/v1/invitations/{old}/accept")))
            .json(&json!({"password": "a long calm password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), StatusCode::GONE, "only the newest invitation works");
        let refused = app.submit_form(&browser, &page, &format!("{page}/reinvite"), &[]).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT, "an active patient needs no invitation");
    }
);

db_test!(
    async fn contacts_and_auto_unlock_are_set_on_the_record(app: TestApp) {
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&clinic.therapist.email).await;
        let page = format!("/patients/{}", anna.id);
        let today = icbt::diaries::service::today(&app.state).to_string();
        let bad = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/contacts"),
                &[("kind", "letter"), ("held_on", &today), ("minutes", "0")],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let logged = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/contacts"),
                &[
                    ("kind", "face_to_face"),
                    ("held_on", &today),
                    ("minutes", "45"),
                    ("note", "Session at the clinic"),
                ],
            )
            .await;
        assert_eq!(logged.status(), StatusCode::SEE_OTHER);
        let html = browser.get(app.url(&page.clone())).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("face to face") && html.contains("Session at the clinic"), "on the timeline");

        let off = app.submit_form(&browser, &page, &format!("{page}/auto-unlock"), &[]).await;
        assert_eq!(off.status(), StatusCode::SEE_OTHER);
        for item in ["pain-welcome", "pain-what-matters"] {
            app.api_post(&anna.token, &format!("/api/v1/me/items/{item}/complete"), json!({})).await;
        }
        let form: Value =
            app.api_get(&anna.token, "/api/v1/me/items/pain-my-goals").await.json().await.unwrap();
        let answers = crate::patient_api::fill(form["fields"].as_array().unwrap());
        app.api_post(
            &anna.token,
            "/api/v1/me/assignments/pain-my-goals/submissions",
            json!({"answers": answers}),
        )
        .await;
        let program: Value = app.api_get(&anna.token, "/api/v1/me/program").await.json().await.unwrap();
        assert_eq!(program["modules"][0]["state"], "completed");
        assert_eq!(
            program["modules"][1]["state"], "locked",
            "with automatic unlocking off, the therapist opens it"
        );
    }
);

db_test!(
    async fn a_hidden_assignment_disappears_and_does_not_hold_up_the_module(app: TestApp) {
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&clinic.therapist.email).await;
        let page = format!("/patients/{}", anna.id);
        let hidden = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/items/pain-my-goals/visibility"),
                &[("hidden", "true")],
            )
            .await;
        assert_eq!(hidden.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.api_get(&anna.token, "/api/v1/me/items/pain-my-goals").await.status(),
            StatusCode::NOT_FOUND
        );
        for item in ["pain-welcome", "pain-what-matters"] {
            app.api_post(&anna.token, &format!("/api/v1/me/items/{item}/complete"), json!({})).await;
        }
        let program: Value = app.api_get(&anna.token, "/api/v1/me/program").await.json().await.unwrap();
        assert_eq!(program["modules"][0]["state"], "completed", "the two pages are all that is left");
        let listed: Vec<&str> = program["modules"][0]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert!(!listed.contains(&"pain-my-goals"));
        let shown = app
            .submit_form(
                &browser,
                &page,
                &format!("{page}/items/pain-my-goals/visibility"),
                &[("hidden", "false")],
            )
            .await;
        assert_eq!(shown.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.api_get(&anna.token, "/api/v1/me/items/pain-my-goals").await.status(), StatusCode::OK);
    }
);

db_test!(
    async fn snippets_are_personal_or_shared_in_the_clinic(app: TestApp) {
        let north = app.clinic("North").await;
        let south = app.clinic("South").await;
        let mine = app.browser_login(&north.therapist.email).await;
        for (title, shared) in [("Private opening", ""), ("Team opening", "on")] {
            let mut fields = vec![("title", title), ("body", "Hello {first_name}")];
            if !shared.is_empty() {
                fields.push(("shared", shared));
            }
            let saved = app.submit_form(&mine, "/snippets", "/snippets", &fields).await;
            assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        }
        let empty = app.submit_form(&mine, "/snippets", "/snippets", &[("title", ""), ("body", "")]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let colleague = app.browser_login(&north.colleague.email).await;
        let html = colleague.get(app.url("/snippets")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Team opening") && !html.contains("Private opening"));
        assert!(!html.contains("/delete"), "a colleague cannot delete someone else's snippet");
        let other_clinic = app.browser_login(&south.therapist.email).await;
        let html = other_clinic.get(app.url("/snippets")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("Team opening"), "shared within the clinic only");
        let manager = app.browser_login(&north.manager.email).await;
        assert_eq!(manager.get(app.url("/snippets")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    }
);

db_test!(
    async fn cover_grants_access_for_the_period_and_removes_it_after(app: TestApp) {
        let clinic = app.clinic("North").await;
        let anna = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let colleague = app.token(&clinic.colleague.email).await;
        let record = format!("/api/v1/patients/{}", anna.id);
        assert_eq!(
            app.api_get(&colleague, &record).await.status(),
            StatusCode::NOT_FOUND,
            "before the cover"
        );

        let today = icbt::diaries::service::today(&app.state);
        let (from, until) =
            ((today + Duration::days(1)).to_string(), (today + Duration::days(7)).to_string());
        let browser = app.browser_login(&clinic.therapist.email).await;
        let bad = app
            .submit_form(
                &browser,
                "/cover",
                "/cover",
                &[("cover", &clinic.manager.email), ("starts_on", &from), ("ends_on", &until)],
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "only a therapist of the team covers");
        let arranged = app
            .submit_form(
                &browser,
                "/cover",
                "/cover",
                &[("cover", &clinic.colleague.email), ("starts_on", &from), ("ends_on", &until)],
            )
            .await;
        assert_eq!(arranged.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.api_get(&colleague, &record).await.status(),
            StatusCode::NOT_FOUND,
            "not before the first day"
        );

        app.state.clock.advance(Duration::days(2));
        assert_eq!(app.api_get(&colleague, &record).await.status(), StatusCode::OK, "during the cover");
        let caseload: Value = app.api_get(&colleague, "/api/v1/caseload").await.json().await.unwrap();
        assert_eq!(caseload["patients"][0]["id"], anna.id.as_str(), "on the colleague's caseload");
        app.send_feedback(&colleague, &anna.id, "Covering this week.").await;
        let patient = app.browser_login(&anna.email).await;
        let home = patient.get(app.url("/home")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("Your therapist is away until"), "the patient sees who covers");

        app.state.clock.advance(Duration::days(7));
        assert_eq!(app.api_get(&colleague, &record).await.status(), StatusCode::NOT_FOUND, "after the cover");
        let admin = app.admin().await;
        let audit: Value = app
            .api_get(&app.token(&admin.email).await, &format!("/api/v1/audit?target_id={}", anna.id))
            .await
            .json()
            .await
            .unwrap();
        let by_colleague = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor_id"] == clinic.colleague.id.as_str());
        assert!(by_colleague, "the cover's reads are audited under their own name");
    }
);

db_test!(
    async fn digest_settings_are_kept_and_checked(app: TestApp) {
        let clinic = app.clinic("North").await;
        let token = app.token(&clinic.therapist.email).await;
        let defaults: Value = app.api_get(&token, "/api/v1/me/digest-settings").await.json().await.unwrap();
        assert_eq!(defaults["cadence"], "daily");
        let bad = app
            .client
            .put(app.url("/api/v1/me/digest-settings"))
            .bearer_auth(&token)
            .json(&json!({"cadence": "hourly", "local_time": "25:00", "timezone": "Mars/Olympus", "layout": "big"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let errors = bad.json::<Value>().await.unwrap()["errors"].clone();
        for field in ["cadence", "local_time", "timezone", "layout"] {
            assert!(errors[field].is_array(), "{field} in {errors}");
        }
        let wanted = json!({"cadence": "weekly", "local_time": "16:30", "weekday": "fri", "timezone": "Europe/Amsterdam", "layout": "combined"});
        let saved = app
            .client
            .put(app.url("/api/v1/me/digest-settings"))
            .bearer_auth(&token)
            .json(&wanted)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::OK);
        let read: Value = app.api_get(&token, "/api/v1/me/digest-settings").await.json().await.unwrap();
        assert_eq!(read, wanted);
        let browser = app.browser_login(&clinic.therapist.email).await;
        let html = browser.get(app.url("/settings/digests")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("value=\"16:30\""));
        let patient = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        assert_eq!(
            app.api_get(&patient.token, "/api/v1/me/digest-settings").await.status(),
            StatusCode::FORBIDDEN
        );
    }
);

db_test!(
    async fn a_refused_contact_comes_back_with_what_was_typed_and_the_errors_on_top(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "anna@north.test", "chronic-pain").await;
        let browser = app.browser_login(&clinic.therapist.email).await;
        let record = format!("/patients/{}", patient.id);
        let typed = [
            ("kind", "phone"),
            ("held_on", "2999-01-01"),
            ("minutes", "20"),
            ("note", "Talked about pacing"),
        ];
        let refused = app.submit_form(&browser, &record, &format!("{record}/contacts"), &typed).await;
        assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
        let html = refused.text().await.unwrap();
        let summary = html.find("error-summary").expect("a summary of the errors");
        let field = html.find("id=\"held_on\"").unwrap();
        assert!(
            summary < field && html.contains("href=\"#held_on\""),
            "the summary is on top and links to the field"
        );
        assert!(html.contains("Enter the date of the contact, today or earlier."));
        assert!(
            html.contains("value=\"Talked about pacing\"") && html.contains("value=\"20\""),
            "typing kept"
        );
        assert!(html.contains("<option value=\"phone\" selected>"), "the kind chosen is kept");

        let ok = [("kind", "phone"), ("held_on", "2026-01-01"), ("minutes", "20"), ("note", "")];
        let logged = app.submit_form(&browser, &record, &format!("{record}/contacts"), &ok).await;
        assert_eq!(logged.status(), reqwest::StatusCode::SEE_OTHER);
        let next = logged.headers()["location"].to_str().unwrap().to_string();
        let html = browser.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("notice ok"), "confirmed on the next page");

        // A patient marking a page read is told so on the next page.
        let reader = app.browser_login(&patient.email).await;
        let read = app.submit_form(&reader, "/items/pain-welcome", "/items/pain-welcome/done", &[]).await;
        let next = read.headers()["location"].to_str().unwrap().to_string();
        let html = reader.get(app.url(&next)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Marked as read."), "{next}");
    }
);
