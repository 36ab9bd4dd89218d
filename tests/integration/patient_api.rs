//! The patient's side over the JSON API: program, pages, assignments,
//! diaries, questionnaires, inbox and export, with every refusal in API.md.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json body")
}

db_test!(
    async fn enrollment_checks_every_field(app: TestApp) {
        let clinic = app.clinic("North").await;
        let therapist = app.token(&clinic.therapist.email).await;
        let bad = app
            .api_post(
                &therapist,
                "/api/v1/patients",
                json!({
                    "email": "nope", "case_code": "Jan Jansen", "program": "back-pain",
                    "feedback_cadence": "daily", "feedback_weekday": "funday"
                }),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let errors = json_of(bad).await["errors"].clone();
        for field in ["email", "case_code", "program", "feedback_cadence", "feedback_weekday"] {
            assert!(errors[field].is_array(), "{field} in {errors}");
        }
        app.patient(&clinic.therapist.email, "p1@north.test", "chronic-pain").await;
        let again = app
            .api_post(
                &therapist,
                "/api/v1/patients",
                json!({
                    "email": "p2@north.test", "case_code": "C-p1", "program": "chronic-pain",
                    "feedback_cadence": "weekly", "feedback_weekday": "mon"
                }),
            )
            .await;
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "a case code is unique in a clinic");
        let manager = app.token(&clinic.manager.email).await;
        let refused = app
            .api_post(
                &manager,
                "/api/v1/patients",
                json!({
            "email": "p3@north.test", "case_code": "C3", "program": "chronic-pain",
            "feedback_cadence": "weekly", "feedback_weekday": "mon"}),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "only therapists enroll");
    }
);

db_test!(
    async fn a_patient_works_through_module_one(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "p1@north.test", "chronic-pain").await;
        let token = &patient.token;

        let program = json_of(app.api_get(token, "/api/v1/me/program").await).await;
        let modules = program["modules"].as_array().unwrap();
        assert_eq!(modules[0]["state"], "open");
        assert!(modules[1..].iter().all(|m| m["state"] == "locked"));
        let locked_item = modules[1]["items"][0]["id"].as_str().unwrap();
        assert_eq!(
            app.api_get(token, &format!("/api/v1/me/items/{locked_item}")).await.status(),
            StatusCode::NOT_FOUND
        );

        // Read both pages.
        for page in ["pain-welcome", "pain-what-matters"] {
            let item = json_of(app.api_get(token, &format!("/api/v1/me/items/{page}")).await).await;
            assert!(item["html"].as_str().unwrap().contains("<p>"));
            let done = app.api_post(token, &format!("/api/v1/me/items/{page}/complete"), json!({})).await;
            assert_eq!(done.status(), StatusCode::NO_CONTENT);
        }

        // The goals assignment: an error first, a draft, then for real.
        let form = json_of(app.api_get(token, "/api/v1/me/items/pain-my-goals").await).await;
        let fields = form["fields"].as_array().unwrap();
        assert!(!fields.is_empty());
        let wrong = app
            .api_post(token, "/api/v1/me/assignments/pain-my-goals/submissions", json!({"answers": {}}))
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let errors = json_of(wrong).await["errors"].clone();
        let required: Vec<&str> =
            fields.iter().filter(|f| f["required"] == true).map(|f| f["id"].as_str().unwrap()).collect();
        for field in &required {
            assert!(errors[*field].is_array(), "{field} is named in {errors}");
        }
        let draft = app
            .api_post(
                token,
                "/api/v1/me/assignments/pain-my-goals/submissions",
                json!({"answers": {}, "draft": true}),
            )
            .await;
        assert_eq!(draft.status(), StatusCode::CREATED);
        let answers = crate::patient_api::fill(fields);
        let submitted = app
            .api_post(token, "/api/v1/me/assignments/pain-my-goals/submissions", json!({"answers": answers}))
            .await;
        assert_eq!(submitted.status(), StatusCode::CREATED, "{}", submitted.text().await.unwrap());

        let program = json_of(app.api_get(token, "/api/v1/me/program").await).await;
        assert_eq!(program["modules"][0]["state"], "completed");
        assert_eq!(program["modules"][1]["state"], "open", "the next module opens by itself");
        assert_eq!(program["modules"][0]["items"][2]["state"], "completed");
    }
);

/// Answers that satisfy every field of a form.
/// Answers that pass validation: the first allowed value of every field.
pub fn fill(fields: &[Value]) -> Value {
    Value::Object(icbt::demo::answers::minimal(fields))
}

db_test!(
    async fn diaries_take_today_and_yesterday(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "p1@north.test", "chronic-pain").await;
        let token = &patient.token;
        let today = icbt::diaries::service::today(&app.state);
        let post = |date: String, pain: Value| {
            app.api_post(
                token,
                "/api/v1/me/diaries/pain-level-diary/entries",
                json!({"date": date, "values": {"pain": pain, "interference": 3}}),
            )
        };
        assert_eq!(post(today.to_string(), json!(6)).await.status(), StatusCode::CREATED);
        assert_eq!(
            post(today.to_string(), json!(5)).await.status(),
            StatusCode::OK,
            "the same day is edited, not doubled"
        );
        assert_eq!(
            post((today - Duration::days(1)).to_string(), json!(4)).await.status(),
            StatusCode::CREATED
        );
        let old = post((today - Duration::days(3)).to_string(), json!(4)).await;
        assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(json_of(old).await["errors"]["date"].is_array());
        let out_of_range = post(today.to_string(), json!(11)).await;
        assert_eq!(out_of_range.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(json_of(out_of_range).await["errors"]["pain"][0].as_str().unwrap().contains("0 to 10"));

        let entries = json_of(app.api_get(token, "/api/v1/me/diaries/pain-level-diary/entries").await).await;
        let list = entries["entries"].as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["values"]["pain"], json!(5.0));
        let unknown = app.api_get(token, "/api/v1/me/diaries/fatigue-level-diary/entries").await;
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "another program's diary");
    }
);

db_test!(
    async fn questionnaires_are_scored_and_risk_is_flagged(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "p1@north.test", "chronic-pain").await;
        let token = &patient.token;
        let due = json_of(app.api_get(token, "/api/v1/me/questionnaires").await).await;
        let ids: Vec<&str> =
            due["questionnaires"].as_array().unwrap().iter().map(|q| q["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["phq-9", "gad-7", "pain-nrs"]);
        assert_eq!(due["questionnaires"][0]["due"], "baseline");

        let mut answers = serde_json::Map::new();
        for n in 1..=9 {
            answers.insert(format!("phq9-{n}"), json!(1));
        }
        let incomplete = app
            .api_post(token, "/api/v1/me/questionnaires/phq-9/responses", json!({"answers": {"phq9-1": 1}}))
            .await;
        assert_eq!(incomplete.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let scored = app
            .api_post(token, "/api/v1/me/questionnaires/phq-9/responses", json!({"answers": answers}))
            .await;
        assert_eq!(scored.status(), StatusCode::CREATED);
        let scored = json_of(scored).await;
        assert_eq!((scored["score"].as_i64(), scored["band"].as_str()), (Some(9), Some("mild")));
        let again = app
            .api_post(token, "/api/v1/me/questionnaires/phq-9/responses", json!({"answers": answers}))
            .await;
        assert_eq!(again.status(), StatusCode::NOT_FOUND, "no longer due");

        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let urgent = icbt::entities::notifications::Entity::find()
            .filter(icbt::entities::notifications::Column::Urgent.eq(true))
            .all(&app.state.db)
            .await
            .unwrap();
        assert_eq!(urgent.len(), 1, "PHQ-9 item 9 above 0 raises one urgent notification");
        assert_eq!(urgent[0].therapist_id, clinic.therapist.id);
    }
);

db_test!(
    async fn the_inbox_carries_messages_and_feedback(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "p1@north.test", "chronic-pain").await;
        let therapist = app.token(&clinic.therapist.email).await;
        assert_eq!(
            app.api_post(&patient.token, "/api/v1/me/messages", json!({"body": "  "})).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let sent =
            app.api_post(&patient.token, "/api/v1/me/messages", json!({"body": "The walk went well."})).await;
        assert_eq!(sent.status(), StatusCode::CREATED);
        let thread =
            json_of(app.api_get(&therapist, &format!("/api/v1/patients/{}/messages", patient.id)).await)
                .await;
        assert_eq!(thread["messages"][0]["body"], "The walk went well.");
        app.send_feedback(&therapist, &patient.id, "Well done, Anna.").await;
        let mine = json_of(app.api_get(&patient.token, "/api/v1/me/messages").await).await;
        let last = &mine["messages"][1];
        assert_eq!(
            (last["from_role"].as_str(), last["is_feedback"].as_bool()),
            (Some("therapist"), Some(true))
        );

        let export = json_of(app.api_get(&patient.token, "/api/v1/me/export").await).await;
        assert_eq!(export["messages"].as_array().unwrap().len(), 2);
        assert_eq!(export["account"]["email"], "p1@north.test");
    }
);

db_test!(
    async fn the_therapist_opens_and_skips_modules(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "p1@north.test", "chronic-fatigue").await;
        let therapist = app.token(&clinic.therapist.email).await;
        let path = format!("/api/v1/patients/{}/modules/thoughts-about-fatigue", patient.id);
        let open = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&therapist)
            .json(&json!({"state": "open"}))
            .send()
            .await
            .unwrap();
        assert_eq!(open.status(), StatusCode::OK);
        let program = json_of(app.api_get(&patient.token, "/api/v1/me/program").await).await;
        assert_eq!(program["modules"][2]["state"], "open");
        let bad = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&therapist)
            .json(&json!({"state": "done"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let record =
            json_of(app.api_get(&therapist, &format!("/api/v1/patients/{}", patient.id)).await).await;
        assert_eq!(record["modules"][2]["state"], "open");
        assert_eq!(record["feedback_weekday"], "thu");
    }
);

db_test!(
    async fn simultaneous_posts_for_one_day_make_one_entry(app: TestApp) {
        let clinic = app.clinic("North").await;
        let patient = app.patient(&clinic.therapist.email, "p1@north.test", "chronic-pain").await;
        let today = icbt::diaries::service::today(&app.state).to_string();
        let posts = (0..8).map(|n| {
            app.api_post(
                &patient.token,
                "/api/v1/me/diaries/pain-level-diary/entries",
                json!({"date": today, "values": {"pain": n % 11, "interference": 2}}),
            )
        });
        let statuses: Vec<StatusCode> =
            futures_util::future::join_all(posts).await.iter().map(|r| r.status()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
        let entries =
            json_of(app.api_get(&patient.token, "/api/v1/me/diaries/pain-level-diary/entries").await).await;
        assert_eq!(entries["entries"].as_array().unwrap().len(), 1);
    }
);
