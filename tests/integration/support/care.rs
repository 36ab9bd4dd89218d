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

impl TestApp {
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
