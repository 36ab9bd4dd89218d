//! The simulated clinic of `icbt demo`: built through the service functions,
//! it leaves a caseload, feedback and questionnaire trajectories behind.

use serde_json::Value;

use icbt::demo::simulate::{simulate, ClinicPlan, STAFF_PASSWORD};

db_test!(
    async fn the_simulated_clinic_leaves_a_living_caseload(app: TestApp) {
        let plan = ClinicPlan {
            clinic: "Sim".into(),
            therapists: 2,
            patients: 6,
            weeks: 4,
            intake_weeks: 1,
            seed: 7,
            known_therapists: Vec::new(),
            team: None,
        };
        let days = std::sync::atomic::AtomicU32::new(0);
        let report = simulate(&app.state, &plan, |d| days.store(d, std::sync::atomic::Ordering::Relaxed))
            .await
            .expect("the simulation runs");
        assert_eq!(days.into_inner(), 28, "a day at a time");
        assert_eq!(report.patients, 6);
        assert!(report.activated >= 1 && report.activated <= 6);
        assert!(report.diary_entries > 0 && report.pages_read > 0 && report.feedback > 0, "{report:?}");
        assert!(report.questionnaires > 0, "baseline questionnaires are answered: {report:?}");

        let mut listed = 0;
        for n in 1..=2 {
            let token = app
                .request_token(&format!("therapist{n}@sim.demo.example.org"), STAFF_PASSWORD, None)
                .await
                .json::<Value>()
                .await
                .unwrap()["token"]
                .as_str()
                .expect("the simulated therapist can log in")
                .to_string();
            let caseload: Value = app.api_get(&token, "/api/v1/caseload").await.json().await.unwrap();
            listed += caseload["patients"].as_array().unwrap().len();
        }
        assert_eq!(listed, 6 - report.dropped_out, "every patient still in care is on a caseload");

        let again =
            simulate(&app.state, &ClinicPlan { patients: 0, weeks: 1, ..plan }, |_| {}).await.unwrap();
        assert_eq!(again.patients, 0, "a second run reuses the clinic and its staff");
    }
);
