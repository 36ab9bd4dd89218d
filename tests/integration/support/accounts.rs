//! Arranging people: a clinic with staff, logins over the API and in a
//! browser-like client.

use icbt::{
    accounts::{service, service::NewUser, Role},
    auth::password::hash_password,
    entities::{clinics, teams, users},
};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use super::TestApp;

pub const PASSWORD: &str = "correct horse battery";

/// A clinic with one team, an admin, two therapists, a manager.
pub struct Clinic {
    pub clinic: clinics::Model,
    pub team: teams::Model,
    pub therapist: users::Model,
    pub colleague: users::Model,
    pub manager: users::Model,
}

impl TestApp {
    /// A user with `PASSWORD`, straight into the database.
    pub async fn user(
        &self,
        role: Role,
        email: &str,
        clinic: Option<&clinics::Model>,
        team: Option<&teams::Model>,
    ) -> users::Model {
        let hash = hash_password(PASSWORD.to_string()).await.expect("hash");
        let new = NewUser {
            email,
            name: &format!("Test {role}"),
            role,
            clinic_id: clinic.map(|c| c.id.as_str()),
            team_id: team.map(|t| t.id.as_str()),
            password_hash: Some(hash),
        };
        service::create_user(&self.state.db, new, self.state.clock.now()).await.expect("create user")
    }

    pub async fn admin(&self) -> users::Model {
        self.user(Role::Admin, "admin@icbt.test", None, None).await
    }

    /// A clinic named `name`; e-mail addresses are prefixed with it.
    pub async fn clinic(&self, name: &str) -> Clinic {
        let now = self.state.clock.now();
        let clinic = service::create_clinic(&self.state.db, name, now).await.expect("clinic");
        let team = service::create_team(&self.state.db, &clinic.id, "Team", now).await.expect("team");
        let slug = name.to_lowercase().replace(' ', "-");
        let therapist =
            self.user(Role::Therapist, &format!("therapist@{slug}.test"), Some(&clinic), Some(&team)).await;
        let colleague =
            self.user(Role::Therapist, &format!("colleague@{slug}.test"), Some(&clinic), Some(&team)).await;
        let manager = self.user(Role::Manager, &format!("manager@{slug}.test"), Some(&clinic), None).await;
        Clinic { clinic, team, therapist, colleague, manager }
    }

    /// POST /api/v1/auth/token; the raw response.
    pub async fn request_token(&self, email: &str, password: &str, totp: Option<&str>) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"email": email, "password": password, "totp": totp}))
            .send()
            .await
            .expect("token request")
    }

    /// A bearer token for `email` with `PASSWORD`.
    pub async fn token(&self, email: &str) -> String {
        let response = self.request_token(email, PASSWORD, None).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {email}");
        let body: Value = response.json().await.expect("json");
        body["token"].as_str().expect("token").to_string()
    }

    pub async fn api_get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn api_post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.client.post(self.url(path)).bearer_auth(token).json(&body).send().await.expect("request")
    }

    /// A fresh browser-like client, logged in as `email` with `PASSWORD`.
    pub async fn browser_login(&self, email: &str) -> Client {
        let browser = super::new_client();
        let response =
            self.submit_form(&browser, "/login", "/login", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "browser login of {email}");
        browser
    }

    /// GETs `page` to obtain its CSRF token, then POSTs `fields` to `action`.
    pub async fn submit_form(
        &self,
        browser: &Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let html = browser.get(self.url(page)).send().await.expect("get form").text().await.expect("html");
        let csrf = csrf_in(&html).unwrap_or_else(|| panic!("no CSRF field on {page}"));
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        browser.post(self.url(action)).form(&form).send().await.expect("post form")
    }
}

/// The CSRF token in a rendered form.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_string())
}

/// The value of the session cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
        c.strip_prefix("icbt_session=").map(|rest| rest.split(';').next().unwrap_or_default().to_string())
    })
}
