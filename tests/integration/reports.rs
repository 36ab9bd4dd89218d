//! The manager's uptake report: exact figures for a known clinic, small
//! cells suppressed, period and team filters, CSV, and no way from a
//! manager's login to a patient's record.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;

async fn roll_up(app: &TestApp) {
    let tz = app.state.settings.care_timezone;
    icbt::usage::rollups::catch_up(&app.state.db, tz, app.state.clock.now()).await.unwrap();
}

db_test!(
    async fn the_uptake_report_counts_a_known_clinic_exactly(app: TestApp) {
        let north = app.clinic("North").await;
        let south = app.clinic("South").await;
        let therapist = app.token(&north.therapist.email).await;
        let mut patients = Vec::new();
        for n in 1..=6 {
            patients
                .push(app.patient(&north.therapist.email, &format!("p{n}@north.test"), "chronic-pain").await);
        }
        let invited = app
            .api_post(
                &therapist,
                "/api/v1/patients",
                json!({"email": "late@north.test", "case_code": "C-late", "program": "chronic-fatigue",
                    "feedback_cadence": "weekly", "feedback_weekday": "thu"}),
            )
            .await;
        assert_eq!(invited.status(), StatusCode::CREATED);
        // Another clinic's work never shows.
        let elsewhere = app.patient(&south.therapist.email, "q1@south.test", "chronic-pain").await;
        let today = icbt::diaries::service::today(&app.state).to_string();
        for patient in patients.iter().chain([&elsewhere]) {
            let saved = app
                .api_post(
                    &patient.token,
                    "/api/v1/me/diaries/pain-level-diary/entries",
                    json!({"date": today, "values": {"pain": 5, "interference": 4}}),
                )
                .await;
            assert_eq!(saved.status(), StatusCode::CREATED);
        }
        app.state.clock.advance(Duration::hours(2));
        for patient in &patients[..5] {
            let sent = app
                .api_post(
                    &therapist,
                    &format!("/api/v1/patients/{}/feedback", patient.id),
                    json!({"body": "Well done."}),
                )
                .await;
            assert_eq!(sent.status(), StatusCode::CREATED);
        }
        let browser = app.browser_login(&north.therapist.email).await;
        let record = format!("/patients/{}", patients[5].id);
        let contact = app
            .submit_form(
                &browser,
                &record,
                &format!("{record}/contacts"),
                &[("kind", "phone"), ("held_on", &today), ("minutes", "20"), ("note", "")],
            )
            .await;
        assert_eq!(contact.status(), StatusCode::SEE_OTHER);
        let dropped = app
            .submit_form(
                &browser,
                &record,
                &format!("{record}/status"),
                &[("status", "dropped_out"), ("reason", "Moved abroad")],
            )
            .await;
        assert_eq!(dropped.status(), StatusCode::SEE_OTHER);

        // The worker's rollup, as it runs every minute.
        roll_up(&app).await;
        let manager = app.token(&north.manager.email).await;
        let report: Value = app.api_get(&manager, "/api/v1/reports/uptake").await.json().await.unwrap();
        assert_eq!(report["reach"]["enrolled"], 7, "{report}");
        assert_eq!(report["reach"]["activated"], 6);
        let pain = report["reach"]["by_program"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program_id"] == "chronic-pain")
            .unwrap();
        assert_eq!((pain["enrolled"].clone(), pain["activated"].clone()), (json!(6), json!(6)));
        let fatigue = report["reach"]["by_program"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program_id"] == "chronic-fatigue")
            .unwrap();
        assert_eq!(fatigue["enrolled"], Value::Null, "one patient: suppressed");
        assert_eq!(report["adoption"]["therapists_total"], 2);
        assert_eq!(report["adoption"]["therapists_with_active_patients"], 1);
        assert_eq!(report["engagement"]["active_patients"], 6);
        assert_eq!(report["engagement"]["diary_entries"], 6);
        assert_eq!(report["engagement"]["submissions"], 0);
        assert_eq!(report["engagement"]["dropped_out"], Value::Null, "one patient: suppressed");
        let funnel = report["engagement"]["module_funnel"].as_array().unwrap();
        let first_pain = funnel.iter().find(|s| s["program_id"] == "chronic-pain").unwrap();
        assert_eq!(first_pain["started"], 6, "the diary of the first module");
        assert_eq!(first_pain["completed"], 0);
        assert_eq!(report["fidelity"]["feedback_given"], 5);
        assert_eq!(report["fidelity"]["feedback_on_time"], 5);
        assert_eq!(report["fidelity"]["median_feedback_latency_hours"], 2.0);
        assert_eq!(report["fidelity"]["blended_contacts"], Value::Null);
        let this_month = report["months"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(
            (this_month["enrolled"].clone(), this_month["diary_entries"].clone()),
            (json!(7), json!(6)),
            "{this_month}"
        );
        let text = report.to_string();
        assert!(!text.contains("C-p1") && !text.contains("north.test"), "no case codes or addresses");

        let team = format!("/api/v1/reports/uptake?team_id={}", north.team.id);
        let by_team: Value = app.api_get(&manager, &team).await.json().await.unwrap();
        assert_eq!(by_team["reach"]["enrolled"], 7, "all of North's patients are in its one team");
        let foreign = format!("/api/v1/reports/uptake?team_id={}", south.team.id);
        assert_eq!(app.api_get(&manager, &foreign).await.status(), StatusCode::NOT_FOUND);
        let tomorrow = (icbt::diaries::service::today(&app.state) + Duration::days(1)).to_string();
        let later: Value = app
            .api_get(&manager, &format!("/api/v1/reports/uptake?from={tomorrow}&to={tomorrow}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (later["reach"]["enrolled"].clone(), later["engagement"]["diary_entries"].clone()),
            (json!(0), json!(0))
        );
        let bad = app.api_get(&manager, "/api/v1/reports/uptake?from=yesterday").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = bad.json().await.unwrap();
        assert!(problem["errors"]["from"].is_array());

        let csv = app.api_get(&manager, "/api/v1/reports/uptake.csv").await;
        assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = csv.text().await.unwrap();
        assert!(csv.starts_with("section,measure,breakdown,value\n"));
        assert!(
            csv.contains("reach,enrolled,,7\n")
                && csv.contains("implementation,blended_contacts,,suppressed\n"),
            "{csv}"
        );

        assert_eq!(app.api_get(&therapist, "/api/v1/reports/uptake").await.status(), StatusCode::FORBIDDEN);

        // Digital share: the manager enters the month's total treatments.
        let month = icbt::diaries::service::today(&app.state).format("%Y-%m").to_string();
        let put = |body: Value| {
            app.client.put(app.url("/api/v1/reports/treatments")).bearer_auth(&manager).json(&body).send()
        };
        let bad = put(json!({"month": "March", "total": -3})).await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = bad.json().await.unwrap();
        assert!(problem["errors"]["month"].is_array() && problem["errors"]["total"].is_array(), "{problem}");
        assert_eq!(put(json!({"month": month, "total": 20})).await.unwrap().status(), StatusCode::NO_CONTENT);
        let share: Value = app.api_get(&manager, "/api/v1/reports/uptake").await.json().await.unwrap();
        let share = &share["digital_share"];
        assert_eq!(
            (share["icbt_enrollments"].clone(), share["total_treatments"].clone()),
            (json!(7), json!(20))
        );
        assert_eq!(share["share_percent"], 35.0);
        let by_team: Value = app.api_get(&manager, &team).await.json().await.unwrap();
        assert_eq!(by_team["digital_share"], Value::Null, "clinic-wide totals are not a team's");
        let form = app.browser_login(&north.manager.email).await;
        let rejected = app
            .submit_form(&form, "/reports", "/reports/treatments", &[("month", &month), ("total", "many")])
            .await;
        assert_eq!(rejected.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            rejected.text().await.unwrap().contains("Enter a number of treatments"),
            "the field is named"
        );

        // A therapist's own figures: their patients only, nothing suppressed.
        let mine: Value = app.api_get(&therapist, "/api/v1/me/figures").await.json().await.unwrap();
        assert_eq!(mine["fidelity"]["feedback_given"], 5);
        assert_eq!(mine["fidelity"]["feedback_on_time"], 5);
        assert_eq!(mine["fidelity"]["blended_contacts"], 1, "not suppressed for the therapist's own work");
        assert_eq!(mine["engagement"]["dropped_out"], 1);
        let colleague = app.token(&north.colleague.email).await;
        let theirs: Value = app.api_get(&colleague, "/api/v1/me/figures").await.json().await.unwrap();
        assert_eq!(
            (theirs["fidelity"]["feedback_given"].clone(), theirs["engagement"]["active_patients"].clone()),
            (json!(0), json!(0))
        );
        assert_eq!(app.api_get(&manager, "/api/v1/me/figures").await.status(), StatusCode::FORBIDDEN);

        // The administrator's overview: every clinic, the same suppression.
        let admin = app.admin().await;
        let admin = app.token(&admin.email).await;
        let overview: Value = app.api_get(&admin, "/api/v1/reports/clinics").await.json().await.unwrap();
        let clinic = |name: &str| {
            overview["clinics"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone()
        };
        assert_eq!(clinic("North")["uptake"]["reach"]["enrolled"], 7);
        assert_eq!(clinic("South")["uptake"]["reach"]["enrolled"], Value::Null, "one patient: suppressed");
        assert!(!overview.to_string().contains("C-p1"));
        assert_eq!(app.api_get(&manager, "/api/v1/reports/clinics").await.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(
    async fn a_manager_reaches_no_patient_record(app: TestApp) {
        let north = app.clinic("North").await;
        let anna = app.patient(&north.therapist.email, "anna@north.test", "chronic-pain").await;
        roll_up(&app).await;
        let manager = app.token(&north.manager.email).await;
        for path in [
            format!("/api/v1/patients/{}", anna.id),
            format!("/api/v1/patients/{}/diary-entries", anna.id),
            format!("/api/v1/patients/{}/messages", anna.id),
        ] {
            let status = app.api_get(&manager, &path).await.status();
            assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN, "{path}: {status}");
        }
        let caseload: Value =
            app.api_get(&manager, "/api/v1/caseload").await.json().await.unwrap_or(json!({}));
        assert!(caseload["patients"].as_array().is_none_or(|p| p.is_empty()));
        let browser = app.browser_login(&north.manager.email).await;
        let record = browser.get(app.url(&format!("/patients/{}", anna.id))).send().await.unwrap();
        assert!(record.status() == StatusCode::NOT_FOUND || record.status() == StatusCode::FORBIDDEN);
        let page = browser.get(app.url("/reports")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Uptake report") && html.contains("<svg"), "charts");
        assert!(html.contains("fewer than 5"), "small cells are hidden on the page too");
        assert!(!html.contains("C-anna"), "no case codes on the manager's page");
    }
);

db_test!(
    async fn rollups_are_idempotent_and_equal_a_rebuild_from_the_events(app: TestApp) {
        use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement};
        let plan = icbt::demo::simulate::ClinicPlan {
            clinic: "Rolled".into(),
            therapists: 2,
            patients: 8,
            weeks: 5,
            intake_weeks: 1,
            seed: 11,
            first_therapist: None,
        };
        icbt::demo::simulate::simulate(&app.state, &plan, |_| {}).await.unwrap();
        let tz = app.state.settings.care_timezone;
        let now = app.state.clock.now();
        let rows = || async {
            let backend = app.state.db.get_database_backend();
            let sql = "SELECT day, clinic_id, team_id, therapist_id, program_id, module_id, kind, patient_pseudonym, \
                       value_key, events FROM usage_daily ORDER BY day, clinic_id, team_id, therapist_id, program_id, \
                       module_id, kind, patient_pseudonym, value_key";
            let all = app.state.db.query_all(Statement::from_string(backend, sql)).await.unwrap();
            all.iter()
                .map(|r| {
                    let day: chrono::NaiveDate = r.try_get("", "day").unwrap();
                    let kind: String = r.try_get("", "kind").unwrap();
                    let who: String = r.try_get("", "patient_pseudonym").unwrap();
                    let events: i32 = r.try_get("", "events").unwrap();
                    format!("{day} {kind} {who} {events}")
                })
                .collect::<Vec<_>>()
        };
        let round = icbt::usage::rollups::catch_up_every(&app.state.db, tz, now, chrono::Duration::zero());
        assert_eq!(round.await.unwrap(), 31, "the worker catches up a month of days per round");
        let days = icbt::usage::rollups::catch_up(&app.state.db, tz, now).await.unwrap();
        assert!(days >= 5, "then the rest, up to today: {days}");
        let first = rows().await;
        icbt::usage::rollups::catch_up(&app.state.db, tz, now).await.unwrap();
        assert_eq!(rows().await, first, "running it again changes nothing");
        let start = icbt::usage::rollups::first_event_day(&app.state.db, tz).await.unwrap().unwrap();
        let today = now.with_timezone(&tz).date_naive();
        icbt::usage::rollups::rebuild(&app.state.db, tz, start, today, now).await.unwrap();
        assert_eq!(rows().await, first, "a rebuild from the events gives the same rows");
        let events = icbt::entities::usage_events::Entity::find().count(&app.state.db).await.unwrap();
        let rolled: u64 = first.iter().map(|r| r.rsplit(' ').next().unwrap().parse::<u64>().unwrap()).sum();
        assert_eq!(rolled, events, "every event is in exactly one row");
    }
);
