//! The authenticated principal: the one place a request's identity is
//! established. Browser pages authenticate by session cookie only; `/api/*`
//! by bearer token only, so a cookie can never ride along on an API call.

use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::{header, request::Parts},
};
use axum_extra::extract::CookieJar;

use super::{sessions, tokens};
use crate::{
    accounts::Role, audit::AuditEntry, entities::users, error::AppError, state::AppState, web::Lang,
};

#[derive(Clone, Debug)]
pub enum Credential {
    /// A browser session; the cookie secret, so logout can end it.
    Session(String),
    /// An API token, by row id.
    Bearer(String),
}

#[derive(Clone, Debug)]
pub struct Principal {
    pub user: users::Model,
    pub role: Role,
    pub credential: Credential,
    /// The zone this person reads dates and times in.
    pub timezone: chrono_tz::Tz,
    /// When a browser session ends unless it is used before then.
    pub session_ends_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Seconds from this request to the session's end: what the page's
    /// script counts down from, whatever the device's own clock says.
    pub session_seconds_left: Option<i64>,
}

impl Principal {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    pub fn clinic_id(&self) -> Option<&str> {
        self.user.clinic_id.as_deref()
    }

    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.user.locale).unwrap_or_default()
    }

    /// 403 unless the principal has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// An audit entry with this principal as the actor.
    pub fn audit(&self, action: &'static str) -> AuditEntry {
        AuditEntry::new(action).by(&self.user.id, self.role).clinic(self.clinic_id())
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(principal.clone());
        }
        let now = state.clock.now();
        // Nested routers see a shortened path; the original one decides.
        let path = parts.extensions.get::<OriginalUri>().map_or(parts.uri.path(), |u| u.0.path());
        let principal = if path.starts_with("/api/") {
            let secret = bearer_token(parts).ok_or(AppError::Unauthenticated)?;
            let (token, user) =
                tokens::authenticate(&state.db, secret, now).await?.ok_or(AppError::Unauthenticated)?;
            principal_for(state, user, Credential::Bearer(token.id)).await?
        } else {
            let jar = CookieJar::from_headers(&parts.headers);
            let secret = jar.get(sessions::SESSION_COOKIE).map(|c| c.value().to_string());
            let secret = secret.ok_or(AppError::Unauthenticated)?;
            let (session, stage, user) = sessions::resume(&state.db, &secret, &state.settings.auth, now)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            if stage != sessions::Stage::Full {
                return Err(AppError::Unauthenticated);
            }
            let ends = sessions::ends_at(&session, &state.settings.auth, now);
            let mut principal = principal_for(state, user, Credential::Session(secret)).await?;
            principal.session_ends_at = Some(ends);
            principal.session_seconds_left = Some((ends - now).num_seconds().max(0));
            principal
        };
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

/// A session that passed the password but still owes a second factor.
pub struct PendingLogin {
    pub user: users::Model,
    pub stage: sessions::Stage,
    pub secret: String,
}

impl FromRequestParts<AppState> for PendingLogin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let secret = jar.get(sessions::SESSION_COOKIE).map(|c| c.value().to_string());
        let secret = secret.ok_or(AppError::Unauthenticated)?;
        match sessions::resume(&state.db, &secret, &state.settings.auth, state.clock.now()).await? {
            Some((_, stage, user)) if stage != sessions::Stage::Full => {
                Ok(PendingLogin { user, stage, secret })
            }
            _ => Err(AppError::Unauthenticated),
        }
    }
}

async fn principal_for(
    state: &AppState,
    user: users::Model,
    credential: Credential,
) -> Result<Principal, AppError> {
    let role = user.role;
    let timezone =
        crate::accounts::time_zone::reading_zone(&state.db, &user, state.settings.care.timezone).await?;
    Ok(Principal { user, role, credential, timezone, session_ends_at: None, session_seconds_left: None })
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}
