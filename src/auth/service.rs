//! The rules of logging in, invitations and passwords, shared by the HTML
//! pages and the JSON API.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, TransactionTrait};

use super::{
    links::{self, Purpose},
    password::{self, Verified},
    sessions, throttle, tokens, totp,
};
use crate::{
    accounts::{service::find_user_by_email, Role},
    audit::{self, AuditEntry},
    entities::{clinics, users},
    error::{AppError, AppResult},
    mail,
    state::AppState,
    web::ClientInfo,
};

/// Where a correct password leads.
pub enum LoginStep {
    Done(users::Model),
    /// The account has a second factor and no code was given.
    TotpRequired(users::Model),
    /// The clinic requires a second factor this staff member has not set up.
    TotpSetupRequired(users::Model),
}

/// Checks e-mail, password and (when given) the second factor. Unknown
/// e-mail, inactive account and wrong password give the same answer after
/// the same work.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: &str,
    code: Option<&str>,
    client: &ClientInfo,
) -> AppResult<LoginStep> {
    let db = &state.db;
    let now = state.clock.now();
    throttle::check(db, email, client.ip.as_deref(), &state.settings.auth, now).await?;
    let found = find_user_by_email(db, email).await?;
    let hash = found.as_ref().filter(|u| u.active).and_then(|u| u.password_hash.clone());
    let verified = password::verify_password(password.to_string(), hash).await?;
    // An inactive account has no hash to match, so only active users get past.
    let user = match (found, verified) {
        (Some(user), Verified::Yes | Verified::YesRehash) => {
            if verified == Verified::YesRehash {
                let fresh = password::hash_password(password.to_string()).await?;
                let mut active = user.clone().into_active_model();
                active.password_hash = Set(Some(fresh));
                active.update(db).await?;
            }
            user
        }
        (user, _) => {
            throttle::record_failure(db, email, client.ip.as_deref(), now).await?;
            let mut entry = AuditEntry::new("login.failed");
            if let Some(user) = &user {
                entry = entry.target("user", &user.id).clinic(user.clinic_id.as_deref());
            }
            audit::record(db, entry, client, now).await?;
            return Err(AppError::Unauthenticated);
        }
    };
    let role: Role = user.role;
    if user.totp_enabled_at.is_some() {
        let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
            return Ok(LoginStep::TotpRequired(user));
        };
        if !totp::verify_second_factor(db, &user, code, now).await? {
            throttle::record_failure(db, email, client.ip.as_deref(), now).await?;
            let entry = AuditEntry::new("login.totp_failed")
                .target("user", &user.id)
                .clinic(user.clinic_id.as_deref());
            audit::record(db, entry, client, now).await?;
            return Err(AppError::UnauthenticatedBecause("totp-invalid"));
        }
    } else if role.is_staff() && clinic_requires_totp(state, &user).await? {
        return Ok(LoginStep::TotpSetupRequired(user));
    }
    finish_login(state, &user, role, client).await?;
    Ok(LoginStep::Done(user))
}

/// Second step for a browser that passed the password: the one-time code.
pub async fn complete_totp(
    state: &AppState,
    user: &users::Model,
    code: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let now = state.clock.now();
    throttle::check(&state.db, &user.email, client.ip.as_deref(), &state.settings.auth, now).await?;
    if !totp::verify_second_factor(&state.db, user, code, now).await? {
        throttle::record_failure(&state.db, &user.email, client.ip.as_deref(), now).await?;
        let entry =
            AuditEntry::new("login.totp_failed").target("user", &user.id).clinic(user.clinic_id.as_deref());
        audit::record(&state.db, entry, client, now).await?;
        return Err(AppError::field("code", "This code is not right. Check your app and try again."));
    }
    let role = user.role;
    finish_login(state, user, role, client).await
}

async fn finish_login(
    state: &AppState,
    user: &users::Model,
    role: Role,
    client: &ClientInfo,
) -> AppResult<()> {
    throttle::clear_account(&state.db, &user.email).await?;
    let entry = AuditEntry::new("login").by(&user.id, role).clinic(user.clinic_id.as_deref());
    let now = state.clock.now();
    audit::record(&state.db, entry, client, now).await?;
    crate::usage::record_login(&state.db, user, role, now).await
}

async fn clinic_requires_totp(state: &AppState, user: &users::Model) -> AppResult<bool> {
    let Some(clinic_id) = &user.clinic_id else { return Ok(false) };
    Ok(clinics::Entity::find_by_id(clinic_id.clone())
        .one(&state.db)
        .await?
        .is_some_and(|c| c.require_staff_totp))
}

/// A bearer token for the API after a complete login.
pub async fn issue_api_token(state: &AppState, step: LoginStep) -> AppResult<(String, users::Model)> {
    match step {
        LoginStep::Done(user) => {
            let token = tokens::issue(&state.db, &user.id, &state.settings.auth, state.clock.now()).await?;
            Ok((token, user))
        }
        LoginStep::TotpRequired(_) => Err(AppError::UnauthenticatedBecause("totp-required")),
        LoginStep::TotpSetupRequired(_) => Err(AppError::UnauthenticatedBecause("totp-setup-required")),
    }
}

/// Sets the first password from an invitation link. The password is checked
/// before the link is spent, so a weak one leaves the link usable.
pub async fn accept_invitation(
    state: &AppState,
    secret: &str,
    new_password: &str,
    client: &ClientInfo,
) -> AppResult<users::Model> {
    set_password_from_link(state, secret, Purpose::Invitation, new_password, client, "invitation.accepted")
        .await
}

/// Sets a new password from a reset link and ends every session and token.
pub async fn reset_password(
    state: &AppState,
    secret: &str,
    new_password: &str,
    client: &ClientInfo,
) -> AppResult<users::Model> {
    let user =
        set_password_from_link(state, secret, Purpose::PasswordReset, new_password, client, "password.reset")
            .await?;
    sessions::end_all(&state.db, &user.id).await?;
    tokens::revoke_all(&state.db, &user.id).await?;
    Ok(user)
}

async fn set_password_from_link(
    state: &AppState,
    secret: &str,
    purpose: Purpose,
    new_password: &str,
    client: &ClientInfo,
    action: &'static str,
) -> AppResult<users::Model> {
    let now = state.clock.now();
    let (link, user) = links::peek(&state.db, secret, purpose, now).await?;
    password::check_policy(new_password, &user.email).map_err(|m| AppError::field("password", m))?;
    // Hash before the transaction: argon2 must not hold a database lock.
    let hash = password::hash_password(new_password.to_string()).await?;
    let txn = state.db.begin().await?;
    links::spend(&txn, &link.id, now).await?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    let role = user.role;
    if purpose == Purpose::Invitation && role == Role::Patient {
        crate::enrollment::service::activate(&txn, &user.id, now).await?;
    }
    let entry =
        AuditEntry::new(action).by(&user.id, role).target("user", &user.id).clinic(user.clinic_id.as_deref());
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(user)
}

/// Mails a reset link when the address belongs to an active account; the
/// caller answers the same either way.
pub async fn request_password_reset(state: &AppState, email: &str, client: &ClientInfo) -> AppResult<()> {
    let now = state.clock.now();
    let Some(user) =
        find_user_by_email(&state.db, email).await?.filter(|u| u.active && u.password_hash.is_some())
    else {
        return Ok(());
    };
    let txn = state.db.begin().await?;
    let lifetime = state.settings.auth.reset_lifetime;
    let secret = links::issue(&txn, &user.id, Purpose::PasswordReset, None, lifetime, now).await?;
    let url = format!("{}{}", state.settings.server.public_url, Purpose::PasswordReset.path(&secret));
    let mail = super::mails::password_reset(state, &user, &url, lifetime)?;
    mail::enqueue(&txn, mail, &state.settings.server.public_url, now).await?;
    let entry = AuditEntry::new("password.reset_requested")
        .target("user", &user.id)
        .clinic(user.clinic_id.as_deref());
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes a logged-in user's password after checking the current one. Every
/// session and token ends; the caller starts a fresh session for the browser
/// that made the change.
pub async fn change_password(
    state: &AppState,
    user: &users::Model,
    role: Role,
    current: &str,
    new_password: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    let verified = password::verify_password(current.to_string(), user.password_hash.clone()).await?;
    if verified == Verified::No {
        return Err(AppError::field("current_password", "This is not your current password."));
    }
    password::check_policy(new_password, &user.email).map_err(|m| AppError::field("new_password", m))?;
    let hash = password::hash_password(new_password.to_string()).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let mut active = user.clone().into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    sessions::end_all(&txn, &user.id).await?;
    tokens::revoke_all(&txn, &user.id).await?;
    audit::record(
        &txn,
        AuditEntry::new("password.changed").by(&user.id, role).target("user", &user.id),
        client,
        now,
    )
    .await?;
    txn.commit().await.map_err(AppError::from)
}

/// Turns on the second factor once `code` proves the app holds `secret`;
/// returns the recovery codes to show once.
pub async fn enable_second_factor(
    state: &AppState,
    user: &users::Model,
    role: Role,
    secret: &str,
    code: &str,
    client: &ClientInfo,
) -> AppResult<Vec<String>> {
    let now = state.clock.now();
    let secret = secret.trim();
    let valid_secret =
        secret.len() >= 26 && secret.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c));
    if !valid_secret {
        return Err(AppError::field(
            "secret",
            "The set-up key is not valid; reload the page to get a new one.",
        ));
    }
    if !totp::code_matches(secret, &user.email, code, now)? {
        return Err(AppError::field("code", "This code is not right. Check your app and try again."));
    }
    let codes = totp::enable(&state.db, user, secret, now).await?;
    let entry = AuditEntry::new("totp.enabled")
        .by(&user.id, role)
        .target("user", &user.id)
        .clinic(user.clinic_id.as_deref());
    audit::record(&state.db, entry, client, now).await?;
    Ok(codes)
}

pub async fn record_logout(
    state: &AppState,
    principal: &super::Principal,
    client: &ClientInfo,
) -> AppResult<()> {
    audit::record(&state.db, principal.audit("logout"), client, state.clock.now()).await
}
