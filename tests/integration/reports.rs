//! The manager's uptake report: exact figures for a known clinic, small
//! cells suppressed, period and team filters, CSV, and no way from a
//! manager's login to a patient's record.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::TestApp;

async fn roll_up(app: &TestApp) {
    let tz = app.state.settings.care.timezone;
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
            app.send_feedback(&therapist, &patient.id, "Well done.").await;
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
        crate::report_privacy::assert_nothing_revealed(&report);
        assert_eq!(report["reach"]["activated"], 6);
        let pain = report["reach"]["by_program"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program_id"] == "chronic-pain")
            .unwrap();
        assert_eq!(
            (pain["enrolled"].clone(), pain["activated"].clone()),
            (Value::Null, json!(6)),
            "7 enrolled less 6 in chronic pain would give the one in chronic fatigue away"
        );
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
        assert!(csv.starts_with("section,measure,program,breakdown,value\n"));
        assert!(
            csv.contains("reach,enrolled,,,7\n")
                && csv.contains("implementation,blended_contacts,,,suppressed\n"),
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
        assert!(html.contains(">hidden</abbr>"), "small cells are hidden on the page too");
        assert!(!html.contains("C-anna"), "no case codes on the manager's page");
        let seen = crate::support::visible_text(&html);
        crate::support::browser::assert_in_order(
            &seen,
            &[
                "Modules started and completed: Getting a grip on chronic fatigue",
                "Modules started and completed: Living well with chronic pain",
                "What each figure means",
                "Feedback occasions met by feedback on or before the feedback day, each counted once",
            ],
        );
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
            known_therapists: Vec::new(),
            team: None,
        };
        icbt::demo::simulate::simulate(&app.state, &plan, |_| {}).await.unwrap();
        let tz = app.state.settings.care.timezone;
        let now = app.state.clock.now();
        let backend = app.state.db.get_database_backend();
        let query = |sql: &'static str| {
            let db = app.state.db.clone();
            async move { db.query_all(Statement::from_string(backend, sql)).await.unwrap() }
        };
        let rows = || async {
            let daily = "SELECT day, clinic_id, team_id, therapist_id, program_id, module_id, kind, value_key, events \
                         FROM usage_daily ORDER BY day, clinic_id, team_id, therapist_id, program_id, module_id, \
                         kind, value_key";
            let mut out: Vec<String> = query(daily)
                .await
                .iter()
                .map(|r| {
                    let day: chrono::NaiveDate = r.try_get("", "day").unwrap();
                    let kind: String = r.try_get("", "kind").unwrap();
                    let module: String = r.try_get("", "module_id").unwrap();
                    let events: i32 = r.try_get("", "events").unwrap();
                    format!("{day} {kind} {module} {events}")
                })
                .collect();
            let months =
                "SELECT month, patient_pseudonym, active, diary, feedback, feedback_due, dropped_out \
                          FROM usage_patient_months ORDER BY month, patient_pseudonym, therapist_id";
            for r in query(months).await {
                let (month, who): (String, String) =
                    (r.try_get("", "month").unwrap(), r.try_get("", "patient_pseudonym").unwrap());
                let masks: Vec<i32> = ["active", "diary", "feedback", "feedback_due", "dropped_out"]
                    .iter()
                    .map(|c| r.try_get("", c).unwrap())
                    .collect();
                out.push(format!("month {month} {who} {masks:?}"));
            }
            let monthly = "SELECT month, clinic_id, team_id, therapist_id, program_id, module_id, kind, value_key, \
                           events FROM usage_monthly ORDER BY month, clinic_id, team_id, therapist_id, program_id, \
                           module_id, kind, value_key";
            for r in query(monthly).await {
                let keys: Vec<String> = ["month", "therapist_id", "module_id", "kind"]
                    .iter()
                    .map(|c| r.try_get("", c).unwrap())
                    .collect();
                let (value_key, events): (i32, i32) =
                    (r.try_get("", "value_key").unwrap(), r.try_get("", "events").unwrap());
                out.push(format!("monthly {keys:?} {value_key} {events}"));
            }
            let modules =
                "SELECT month, module_id, patient_pseudonym, started, completed FROM usage_module_months \
                           ORDER BY month, module_id, patient_pseudonym";
            for r in query(modules).await {
                let keys: Vec<String> = ["month", "module_id", "patient_pseudonym"]
                    .iter()
                    .map(|c| r.try_get("", c).unwrap())
                    .collect();
                let masks: (i32, i32) =
                    (r.try_get("", "started").unwrap(), r.try_get("", "completed").unwrap());
                out.push(format!("module {keys:?} {masks:?}"));
            }
            out
        };
        let round = icbt::usage::rollups::catch_up_every(&app.state.db, tz, now, chrono::Duration::zero());
        assert_eq!(round.await.unwrap(), 31, "the worker catches up a month of days per round");
        let days = icbt::usage::rollups::catch_up(&app.state.db, tz, now).await.unwrap();
        // Five simulated weeks are at least 35 days; the round ended on day 31,
        // which the next catch-up takes again as its first.
        assert!(days >= 4, "then the rest, up to today: {days}");
        let first = rows().await;
        icbt::usage::rollups::catch_up(&app.state.db, tz, now).await.unwrap();
        assert_eq!(rows().await, first, "running it again changes nothing");
        let start = icbt::usage::rollups::first_event_day(&app.state.db, tz).await.unwrap().unwrap();
        let today = now.with_timezone(&tz).date_naive();
        icbt::usage::rollups::rebuild(&app.state.db, tz, start, today, now).await.unwrap();
        assert_eq!(rows().await, first, "a rebuild from the events gives the same rows");
        let events = icbt::entities::usage_events::Entity::find().count(&app.state.db).await.unwrap();
        let rolled: u64 = first
            .iter()
            .filter(|r| !r.starts_with("month ") && !r.starts_with("module ") && !r.starts_with("monthly "))
            .map(|r| r.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum();
        assert_eq!(rolled, events, "every event is in exactly one daily row");
        // Each month's totals are its days' totals, dimension by dimension.
        let mismatched = "SELECT COUNT(*) AS n FROM usage_monthly m FULL JOIN (SELECT month, clinic_id, team_id, \
             therapist_id, program_id, module_id, kind, value_key, SUM(events) AS events FROM usage_daily \
             GROUP BY month, clinic_id, team_id, therapist_id, program_id, module_id, kind, value_key) d \
             ON m.month = d.month AND m.clinic_id = d.clinic_id AND m.team_id = d.team_id \
             AND m.therapist_id = d.therapist_id AND m.program_id = d.program_id AND m.module_id = d.module_id \
             AND m.kind = d.kind AND m.value_key = d.value_key \
             WHERE m.events IS NULL OR d.events IS NULL OR m.events <> d.events";
        let monthly_rows = first.iter().filter(|r| r.starts_with("monthly ")).count();
        assert!(monthly_rows > 10, "the months are summed: {monthly_rows} rows");
        // Patients with diary entries per month, straight from the events.
        let from_events =
            "SELECT COUNT(DISTINCT patient_pseudonym) AS n FROM usage_events WHERE kind = 'diary.entry'";
        let from_months =
            "SELECT COUNT(DISTINCT patient_pseudonym) AS n FROM usage_patient_months WHERE diary <> 0";
        let n = |rows: Vec<sea_orm::QueryResult>| rows[0].try_get::<i64>("", "n").unwrap();
        let diarists = n(query(from_events).await);
        assert!(diarists >= 5, "the simulation keeps diaries: {diarists}");
        assert_eq!(n(query(from_months).await), diarists);
        assert_eq!(n(query(mismatched).await), 0, "usage_monthly is the sum of usage_daily");
    }
);

/// Moves the test clock forward to `at` (RFC 3339).
fn move_to(app: &TestApp, at: &str) {
    let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
    app.state.clock.advance(at - app.state.clock.now());
}

async fn record_due(app: &TestApp) -> usize {
    let tz = app.state.settings.care.timezone;
    icbt::usage::feedback_due::record_due_feedback(&app.state.db, tz, app.state.clock.now()).await.unwrap()
}

/// A questionnaire score, as the patient's answers would have stored it.
async fn score(app: &TestApp, enrollment: &str, questionnaire: &str, assessment: &str, score: i32, at: &str) {
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let row = icbt::entities::questionnaire_responses::ActiveModel {
        id: Set(icbt::ids::new_id()),
        enrollment_id: Set(enrollment.to_string()),
        questionnaire_id: Set(questionnaire.to_string()),
        assessment_id: Set(assessment.to_string()),
        content_version: Set("test".into()),
        answers: Set("{}".into()),
        score: Set(score),
        band: Set("test".into()),
        risk: Set(false),
        submitted_at: Set(at.parse().unwrap()),
        reviewed_at: Set(None),
        ..Default::default()
    };
    icbt::entities::questionnaire_responses::Entity::insert(row)
        .exec_without_returning(&app.state.db)
        .await
        .unwrap();
}

smtp_test!(
    ["clock.start" => "2026-03-02T07:00:00Z"],
    async fn feedback_due_tailoring_drop_out_and_outcomes_are_counted_exactly(app: TestApp, _port: u16) {
        // Monday 2 March 2026, 08:00 in Amsterdam: six patients start, with
        // weekly feedback on Thursday (first due Thursday 5 March).
        let north = app.clinic("North").await;
        let therapist = app.token(&north.therapist.email).await;
        let mut patients = Vec::new();
        for n in 1..=6 {
            patients.push(app.patient(&north.therapist.email, &format!("p{n}@north.test"), "chronic-pain").await);
        }
        assert_eq!(record_due(&app).await, 0, "nothing is due on the first day");
        for patient in &patients[..5] {
            let skip = app
                .client
                .patch(app.url(&format!("/api/v1/patients/{}/modules/understanding-pain", patient.id)))
                .bearer_auth(&therapist)
                .json(&json!({"state": "skipped"}))
                .send()
                .await
                .unwrap();
            assert_eq!(skip.status(), StatusCode::OK, "{}", skip.text().await.unwrap());
        }
        let diary = |token: String, date: &'static str| {
            let app = &app;
            async move {
                app.api_post(
                &token,
                "/api/v1/me/diaries/pain-level-diary/entries",
                json!({"date": date, "values": {"pain": 5, "interference": 4}}),
            )
            .await
            }
        };

        // Thursday: due for all six; five write, and get feedback an hour later.
        move_to(&app, "2026-03-05T08:00:00Z");
        assert_eq!(record_due(&app).await, 6);
        assert_eq!(record_due(&app).await, 0, "once a day");
        for patient in &patients[..5] {
            assert_eq!(diary(patient.token.clone(), "2026-03-05").await.status(), StatusCode::CREATED);
        }
        move_to(&app, "2026-03-05T09:00:00Z");
        for patient in &patients[..5] {
            let path = format!("/api/v1/patients/{}/feedback", patient.id);
            let sent = app.api_post(&therapist, &path, json!({"body": "Well done."})).await;
            assert_eq!(sent.status(), StatusCode::CREATED);
        }

        // Friday a week later: the five were due again on Thursday 12 March
        // (the sixth is still overdue from the 5th, counted once); they write
        // once more, then stop.
        move_to(&app, "2026-03-13T08:00:00Z");
        assert_eq!(record_due(&app).await, 5);
        let browser = app.browser_login(&north.therapist.email).await;
        for patient in &patients[..5] {
            assert_eq!(diary(patient.token.clone(), "2026-03-13").await.status(), StatusCode::CREATED);
            let record = format!("/patients/{}", patient.id);
            let dropped = app
                .submit_form(
                    &browser,
                    &record,
                    &format!("{record}/status"),
                    &[("status", "dropped_out"), ("reason", "No time now")],
                )
                .await;
            assert_eq!(dropped.status(), StatusCode::SEE_OTHER);
        }
        // Baseline and end scores: five fall by 6 or more on the PHQ-9, one
        // rises by 7; only four have pain ratings.
        let phq = [(15, 8), (14, 7), (12, 5), (20, 12), (16, 10), (9, 16)];
        for (patient, (baseline, end)) in patients.iter().zip(phq) {
            score(&app, &patient.id, "phq-9", "baseline", baseline, "2026-03-02T08:00:00Z").await;
            score(&app, &patient.id, "phq-9", "end", end, "2026-03-13T08:00:00Z").await;
        }
        for patient in &patients[..4] {
            score(&app, &patient.id, "pain-nrs", "baseline", 7, "2026-03-02T08:00:00Z").await;
            score(&app, &patient.id, "pain-nrs", "end", 4, "2026-03-13T08:00:00Z").await;
        }
        let manager = app.token(&north.manager.email).await;
        let put = |body: Value| {
            app.client.put(app.url("/api/v1/reports/treatments")).bearer_auth(&manager).json(&body).send()
        };
        let entered = put(json!({"month": "2026-02", "total": 30, "trained_therapists": 2})).await.unwrap();
        assert_eq!(entered.status(), StatusCode::NO_CONTENT);
        let entered =
            put(json!({"month": "2026-03", "total": 40, "referrals": 9, "trained_therapists": 3})).await.unwrap();
        assert_eq!(entered.status(), StatusCode::NO_CONTENT);
        let bad = put(json!({"month": "2026-03", "total": 40, "referrals": -1})).await.unwrap();
        let problem: Value = bad.json().await.unwrap();
        assert!(problem["errors"]["referrals"].is_array(), "{problem}");

        roll_up(&app).await;
        let period = "/api/v1/reports/uptake?from=2026-03-02&to=2026-03-13";
        let report: Value = app.api_get(&manager, period).await.json().await.unwrap();
        assert_eq!(report["reach"]["referred"], 9, "{report}");
        crate::report_privacy::assert_nothing_revealed(&report);
        assert_eq!(report["adoption"]["trained_therapists"], 3);
        let fidelity = &report["fidelity"];
        assert_eq!(fidelity["feedback_due"], 11);
        assert_eq!(fidelity["feedback_given"], 5);
        assert_eq!(fidelity["feedback_on_time"], 5);
        assert_eq!(fidelity["feedback_on_time_percent"], 45.5);
        assert_eq!(fidelity["median_feedback_latency_hours"], 1.0);
        let tailoring = &fidelity["tailoring"];
        assert_eq!(tailoring["patients_tailored"], 5);
        assert_eq!(tailoring["modules_skipped"], 5);
        assert_eq!((tailoring["modules_opened"].clone(), tailoring["items_hidden"].clone()), (json!(0), json!(0)));
        let engagement = &report["engagement"];
        assert_eq!(engagement["active_patients"], 6);
        assert_eq!(engagement["active_patient_weeks"], 11, "six in the first week, five in the second");
        assert_eq!(engagement["weekly_active_patients"], 5.5);
        assert_eq!(engagement["diary_entries"], 10);
        assert_eq!(engagement["diary_entries_per_patient_week"], 0.91);
        assert_eq!(engagement["dropped_out"], 5);
        let weeks = engagement["drop_out_by_week"].as_array().unwrap();
        assert_eq!((weeks[0]["when"].clone(), weeks[0]["patients"].clone()), (json!("0-2"), json!(5)));
        assert!(weeks[1..].iter().all(|w| w["patients"] == 0), "{weeks:?}");
        assert_eq!(
            engagement["drop_out_by_module"],
            json!([{"program_id": "chronic-pain", "when": "your-goals", "title": "Your goals", "patients": 5}])
        );
        let funnel = engagement["module_funnel"].as_array().unwrap();
        let skipped = funnel.iter().find(|s| s["module_id"] == "understanding-pain").unwrap();
        assert_eq!(skipped["started"], 0, "skipping by the therapist is not the patient's start");
        let changes = report["outcomes"]["score_changes"].as_array().unwrap();
        let phq = changes.iter().find(|c| c["questionnaire_id"] == "phq-9").unwrap();
        assert_eq!(phq["patients"], 6);
        assert_eq!((phq["baseline_mean"].clone(), phq["end_mean"].clone()), (json!(14.3), json!(9.7)));
        assert_eq!(phq["reliable_change"], 6);
        assert_eq!(phq["reliably_deteriorated"], Value::Null, "one patient: suppressed");
        assert_eq!(
            (phq["reliably_improved"].clone(), phq["reliably_improved_percent"].clone()),
            (Value::Null, Value::Null),
            "5 of 6 improved would say the sixth did not"
        );
        let pain = changes.iter().find(|c| c["questionnaire_id"] == "pain-nrs").unwrap();
        assert_eq!((pain["patients"].clone(), pain["baseline_mean"].clone()), (Value::Null, Value::Null));
        let months = report["months"].as_array().unwrap();
        assert_eq!(months.len(), 12, "maintenance: the last twelve months");
        assert_eq!(months[0]["month"], "2025-04");
        assert_eq!(months[0]["active_patients"], 0);
        let march = &months[11];
        assert_eq!(
            [&march["enrolled"], &march["active_patients"], &march["diary_entries"], &march["feedback_due"]],
            [&json!(6), &json!(6), &json!(10), &json!(11)]
        );
        assert_eq!(
            [&march["feedback_given"], &march["feedback_on_time"], &march["dropped_out"], &march["completed"]],
            [&json!(5), &json!(5), &json!(5), &json!(0)]
        );
        assert_eq!(report["digital_share"]["share_percent"], 15.0, "6 of 40 treatments");

        // The first week alone: the drop-outs and the second due day are later.
        let first_week: Value =
            app.api_get(&manager, "/api/v1/reports/uptake?from=2026-03-02&to=2026-03-08").await.json().await.unwrap();
        assert_eq!(first_week["fidelity"]["feedback_due"], 6);
        assert_eq!(first_week["engagement"]["active_patient_weeks"], 6);
        assert_eq!(first_week["engagement"]["dropped_out"], 0);
        assert_eq!(first_week["outcomes"]["score_changes"], json!([]), "the end scores came later");
        let team: Value = app
            .api_get(&manager, &format!("{period}&team_id={}", north.team.id))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(team["reach"]["referred"], Value::Null, "entered figures are the clinic's");
        assert_eq!(team["fidelity"]["feedback_due"], 11);

        let csv = app.api_get(&manager, &period.replace("uptake", "uptake.csv")).await.text().await.unwrap();
        for line in [
            "reach,referred,,,9",
            "adoption,trained_therapists,,,3",
            "implementation,feedback_due,,,11",
            "implementation,feedback_on_time_percent,,,45.5",
            "implementation,modules_skipped,,,5",
            "engagement,weekly_active_patients,,,5.5",
            "engagement,dropped_out_in_weeks,,0-2,5",
            "engagement,dropped_out_in_module,chronic-pain,your-goals,5",
            "effectiveness,reliably_improved,,phq-9,suppressed",
            "effectiveness,reliably_deteriorated,,phq-9,suppressed",
            "maintenance,feedback_due,,2026-03,11",
        ] {
            assert!(csv.contains(&format!("{line}\n")), "{line} in {csv}");
        }
        let page = app.browser_login(&north.manager.email).await;
        let html = page
            .get(app.url("/reports?from=2026-03-02&to=2026-03-13"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Reliably improved") && html.contains("Feedback due"), "new sections");
        assert!(!html.contains("C-p1"), "no case codes");

        // The therapist's own figures, unsuppressed.
        let mine: Value = app
            .api_get(&therapist, "/api/v1/me/figures?from=2026-03-02&to=2026-03-13")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine["fidelity"]["feedback_due"], 11);
        let mine_phq = &mine["outcomes"]["score_changes"][1];
        assert_eq!((mine_phq["questionnaire_id"].clone(), mine_phq["reliably_deteriorated"].clone()), (json!("phq-9"), json!(1)));
    }
);

db_test!(
    async fn workers_rolling_up_at_once_on_a_first_run_count_each_event_once(app: TestApp) {
        use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement};
        let plan = icbt::demo::simulate::ClinicPlan {
            clinic: "Racing".into(),
            therapists: 1,
            patients: 4,
            weeks: 2,
            intake_weeks: 1,
            seed: 5,
            known_therapists: Vec::new(),
            team: None,
        };
        icbt::demo::simulate::simulate(&app.state, &plan, |_| {}).await.unwrap();
        let tz = app.state.settings.care.timezone;
        let now = app.state.clock.now();
        // No rollup has run: the job's state row does not exist yet.
        let rounds: Vec<_> = (0..4)
            .map(|_| {
                let db = app.state.db.clone();
                tokio::spawn(async move { icbt::usage::rollups::catch_up(&db, tz, now).await })
            })
            .collect();
        for round in rounds {
            round.await.unwrap().expect("a concurrent first catch-up");
        }
        let backend = app.state.db.get_database_backend();
        let sum = Statement::from_string(backend, "SELECT CAST(SUM(events) AS BIGINT) AS n FROM usage_daily");
        let row = app.state.db.query_one(sum).await.unwrap().unwrap();
        let rolled: i64 = row.try_get("", "n").unwrap();
        let events = icbt::entities::usage_events::Entity::find().count(&app.state.db).await.unwrap();
        assert_eq!(rolled as u64, events, "every event in exactly one daily row");
    }
);
