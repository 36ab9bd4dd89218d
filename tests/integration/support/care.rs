//! Arranging patients: enrolled by a therapist, invitation accepted.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{accounts::PASSWORD, TestApp};

pub struct Patient {
    /// The enrollment id: the patient's id in the therapist API.
    pub id: String,
    pub email: String,
    pub token: String,
}

/// PHQ-9 answers: `each` for items 1 to 8, `item_9` for the risk item.
pub fn phq9_answers(each: i64, item_9: i64) -> serde_json::Map<String, Value> {
    (1..=9).map(|n| (format!("phq9-{n}"), json!(if n == 9 { item_9 } else { each }))).collect()
}

impl TestApp {
    /// A week of treatment in small: a diary entry written and then
    /// replaced, a PHQ-9, a message and the therapist's feedback.
    pub async fn some_treatment(&self, patient: &Patient, therapist_email: &str) {
        let today = icbt::diaries::service::today(&self.state).to_string();
        for values in [
            json!({"pain": 6, "interference": 3, "note": "A long walk."}),
            json!({"pain": 4, "interference": 2}),
        ] {
            let path = "/api/v1/me/diaries/pain-level-diary/entries";
            let entry = self.api_post(&patient.token, path, json!({"date": today, "values": values})).await;
            assert!(entry.status().is_success(), "diary entry: {}", entry.status());
        }
        self.answer_phq9(&patient.token, 1, 1).await;
        self.message_from(&patient.token, "Walking hurt less today.").await;
        self.send_feedback(&self.token(therapist_email).await, &patient.id, "Well done.").await;
    }

    /// To the end of a chronic-pain treatment: the patient rates their pain
    /// 8 at baseline, the therapist with API token `therapist` closes every
    /// module, and the patient rates it `end` at the end.
    pub async fn finish_with_pain(&self, therapist: &str, patient: &Patient, end: i64) {
        let answer = |score: i64| {
            let body = json!({"answers": {"pain-nrs-1": score}});
            self.api_post(&patient.token, "/api/v1/me/questionnaires/pain-nrs/responses", body)
        };
        assert_eq!(answer(8).await.status(), StatusCode::CREATED, "baseline");
        let modules: Vec<String> = self
            .state
            .content
            .program("chronic-pain")
            .unwrap()
            .modules
            .iter()
            .map(|m| m.id.clone())
            .collect();
        for module in modules {
            let skip = self
                .client
                .patch(self.url(&format!("/api/v1/patients/{}/modules/{module}", patient.id)))
                .bearer_auth(therapist)
                .json(&json!({"state": "skipped"}))
                .send()
                .await
                .unwrap();
            assert_eq!(skip.status(), StatusCode::OK, "{module}");
        }
        assert_eq!(answer(end).await.status(), StatusCode::CREATED, "end");
    }

    /// The patient with API token `token` answers PHQ-9 (accepted).
    pub async fn answer_phq9(&self, token: &str, each: i64, item_9: i64) {
        let body = json!({"answers": phq9_answers(each, item_9)});
        let phq = self.api_post(token, "/api/v1/me/questionnaires/phq-9/responses", body).await;
        assert_eq!(phq.status(), StatusCode::CREATED, "PHQ-9");
    }

    /// The therapist with API token `token` sends feedback to the patient
    /// enrolled as `enrollment_id` (accepted).
    pub async fn send_feedback(&self, token: &str, enrollment_id: &str, body: &str) {
        let path = format!("/api/v1/patients/{enrollment_id}/feedback");
        let feedback = self.api_post(token, &path, json!({ "body": body })).await;
        assert_eq!(feedback.status(), StatusCode::CREATED, "feedback");
    }

    /// The patient with API token `token` writes to their therapist (accepted).
    pub async fn message_from(&self, token: &str, body: &str) {
        let message = self.api_post(token, "/api/v1/me/messages", json!({ "body": body })).await;
        assert_eq!(message.status(), StatusCode::CREATED, "message");
    }

    /// Enrolls `email` in `program` as `therapist_email`'s patient and accepts
    /// the invitation.
    pub async fn patient(&self, therapist_email: &str, email: &str, program: &str) -> Patient {
        self.patient_with_feedback_day(therapist_email, email, program, "thu").await
    }

    /// As `patient`, with weekly feedback on `weekday` (mon..sun).
    pub async fn patient_with_feedback_day(
        &self,
        therapist_email: &str,
        email: &str,
        program: &str,
        weekday: &str,
    ) -> Patient {
        let therapist = self.token(therapist_email).await;
        let case_code = format!("C-{}", email.split('@').next().unwrap_or("x"));
        let response = self
            .api_post(
                &therapist,
                "/api/v1/patients",
                json!({
                    "email": email, "case_code": case_code, "program": program,
                    "feedback_cadence": "weekly", "feedback_weekday": weekday
                }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED, "enroll {email}");
        let body: Value = response.json().await.expect("json");
        let invitation =
            body["invitation_url"].as_str().expect("url").rsplit('/').next().expect("token").to_string();
        let accepted = self
            .client
            .post(self.url(&format!("/api/v1/invitations/{invitation}/accept")))
            .json(&json!({"password": PASSWORD}))
            .send()
            .await
            .expect("accept");
        assert_eq!(accepted.status(), StatusCode::OK);
        Patient {
            id: body["id"].as_str().expect("id").to_string(),
            email: email.to_string(),
            token: self.token(email).await,
        }
    }
}
