//! What administrators do to accounts: clinics, teams, inviting staff,
//! deactivating, changing roles and resetting second factors. Every change is
//! audited; administrators never see clinical content.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::{
    service::{self, NewUser},
    Role,
};
use crate::{
    audit,
    auth::{links, mails, sessions, tokens, totp, Principal},
    entities::{clinics, teams, users},
    error::{AppError, AppResult},
    mail,
    state::AppState,
    web::ClientInfo,
};

pub async fn create_clinic(
    state: &AppState,
    admin: &Principal,
    name: &str,
    client: &ClientInfo,
) -> AppResult<clinics::Model> {
    admin.require(&[Role::Admin])?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let clinic = service::create_clinic(&txn, name, now).await?;
    audit::record(
        &txn,
        admin.audit("clinic.created").target("clinic", &clinic.id).clinic(Some(&clinic.id)),
        client,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(clinic)
}

pub async fn create_team(
    state: &AppState,
    admin: &Principal,
    clinic_id: &str,
    name: &str,
    client: &ClientInfo,
) -> AppResult<teams::Model> {
    admin.require(&[Role::Admin])?;
    let clinic = find_clinic(state, clinic_id).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let team = service::create_team(&txn, &clinic.id, name, now).await?;
    audit::record(
        &txn,
        admin.audit("team.created").target("team", &team.id).clinic(Some(&clinic.id)),
        client,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(team)
}

pub async fn find_clinic(state: &AppState, clinic_id: &str) -> AppResult<clinics::Model> {
    clinics::Entity::find_by_id(clinic_id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)
}

pub async fn list_clinics(state: &AppState, admin: &Principal) -> AppResult<Vec<clinics::Model>> {
    admin.require(&[Role::Admin])?;
    Ok(clinics::Entity::find().order_by_asc(clinics::Column::Name).all(&state.db).await?)
}

pub async fn clinic_teams(state: &AppState, clinic_id: &str) -> AppResult<Vec<teams::Model>> {
    Ok(teams::Entity::find()
        .filter(teams::Column::ClinicId.eq(clinic_id))
        .order_by_asc(teams::Column::Name)
        .all(&state.db)
        .await?)
}

/// Staff of a clinic (therapists and managers), not its patients.
pub async fn clinic_staff(
    state: &AppState,
    admin: &Principal,
    clinic_id: &str,
) -> AppResult<Vec<users::Model>> {
    admin.require(&[Role::Admin])?;
    Ok(users::Entity::find()
        .filter(users::Column::ClinicId.eq(clinic_id))
        .filter(users::Column::Role.is_in([Role::Therapist, Role::Manager]))
        .order_by_asc(users::Column::Name)
        .all(&state.db)
        .await?)
}

/// The zone the clinic's people read dates and times in, unless they chose
/// their own; `None` is the deployment's.
pub async fn set_clinic_zone(
    state: &AppState,
    admin: &Principal,
    clinic_id: &str,
    zone: Option<chrono_tz::Tz>,
    client: &ClientInfo,
) -> AppResult<()> {
    admin.require(&[Role::Admin])?;
    let clinic = find_clinic(state, clinic_id).await?;
    let txn = state.db.begin().await?;
    super::time_zone::set_clinic_zone(&txn, &clinic.id, zone).await?;
    let shown = zone.unwrap_or(state.settings.care.timezone);
    let entry = admin
        .audit("clinic.timezone_changed")
        .target("clinic", &clinic.id)
        .clinic(Some(&clinic.id))
        .detail(format!("timezone={}", shown.name()));
    audit::record(&txn, entry, client, state.clock.now()).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_requires_totp(
    state: &AppState,
    admin: &Principal,
    clinic_id: &str,
    required: bool,
    client: &ClientInfo,
) -> AppResult<()> {
    admin.require(&[Role::Admin])?;
    let clinic = find_clinic(state, clinic_id).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    clinics::Entity::update_many()
        .col_expr(clinics::Column::RequireStaffTotp, required.into())
        .filter(clinics::Column::Id.eq(&clinic.id))
        .exec(&txn)
        .await?;
    let entry = admin
        .audit("clinic.totp_requirement_changed")
        .target("clinic", &clinic.id)
        .clinic(Some(&clinic.id))
        .detail(format!("required={required}"));
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(())
}

/// What an administrator fills in to invite a staff member.
pub struct StaffInvite<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub clinic_id: &'a str,
    pub team_id: Option<&'a str>,
}

/// Creates the account and mails a one-time invitation link, in one
/// transaction; returns the user and the link.
pub async fn invite_staff(
    state: &AppState,
    admin: &Principal,
    invite: StaffInvite<'_>,
    client: &ClientInfo,
) -> AppResult<(users::Model, String)> {
    admin.require(&[Role::Admin])?;
    if !matches!(invite.role, Role::Therapist | Role::Manager) {
        return Err(AppError::field("role", "Staff are therapists or managers."));
    }
    if invite.name.trim().is_empty() {
        return Err(AppError::field("name", "Enter the person's name."));
    }
    let clinic = find_clinic(state, invite.clinic_id)
        .await
        .map_err(|_| AppError::field("clinic_id", "Unknown clinic."))?;
    if let Some(team_id) = invite.team_id {
        let team = teams::Entity::find_by_id(team_id.to_string()).one(&state.db).await?;
        if team.is_none_or(|t| t.clinic_id != clinic.id) {
            return Err(AppError::field("team_id", "This team is not part of the clinic."));
        }
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let new = NewUser {
        email: invite.email,
        name: invite.name,
        role: invite.role,
        clinic_id: Some(&clinic.id),
        team_id: invite.team_id,
        password_hash: None,
    };
    let user = service::create_user(&txn, new, now).await?;
    let url = send_invitation(state, &txn, &user, &clinic.name, Some(admin.id())).await?;
    let entry = admin
        .audit("staff.invited")
        .target("user", &user.id)
        .clinic(Some(&clinic.id))
        .detail(format!("role={}", invite.role));
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok((user, url))
}

/// Issues an invitation link for `user` and queues its mail, in `txn`.
pub async fn send_invitation(
    state: &AppState,
    txn: &impl sea_orm::ConnectionTrait,
    user: &users::Model,
    clinic_name: &str,
    invited_by: Option<&str>,
) -> AppResult<String> {
    let now = state.clock.now();
    let lifetime = state.settings.auth.invitation_lifetime;
    let secret = links::issue(txn, &user.id, links::Purpose::Invitation, invited_by, lifetime, now).await?;
    let url = format!("{}{}", state.settings.server.public_url, links::Purpose::Invitation.path(&secret));
    let email = mails::invitation(state, user, clinic_name, &url, lifetime)?;
    mail::enqueue(txn, email, &state.settings.server.public_url, now).await?;
    Ok(url)
}

/// A staff member of some clinic, for an administrator's action.
async fn find_staff(state: &AppState, user_id: &str) -> AppResult<users::Model> {
    let user =
        users::Entity::find_by_id(user_id.to_string()).one(&state.db).await?.ok_or(AppError::NotFound)?;
    match user.role {
        Role::Therapist | Role::Manager => Ok(user),
        _ => Err(AppError::NotFound),
    }
}

/// A deactivated account cannot log in; its sessions and tokens end at once.
pub async fn set_active(
    state: &AppState,
    admin: &Principal,
    user_id: &str,
    active: bool,
    client: &ClientInfo,
) -> AppResult<users::Model> {
    admin.require(&[Role::Admin])?;
    let user = find_staff(state, user_id).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    users::Entity::update_many()
        .col_expr(users::Column::Active, active.into())
        .col_expr(users::Column::UpdatedAt, now.into())
        .filter(users::Column::Id.eq(&user.id))
        .exec(&txn)
        .await?;
    if !active {
        sessions::end_all(&txn, &user.id).await?;
        tokens::revoke_all(&txn, &user.id).await?;
    }
    let action = if active { "staff.reactivated" } else { "staff.deactivated" };
    audit::record(
        &txn,
        admin.audit(action).target("user", &user.id).clinic(user.clinic_id.as_deref()),
        client,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

pub async fn change_role(
    state: &AppState,
    admin: &Principal,
    user_id: &str,
    role: Role,
    client: &ClientInfo,
) -> AppResult<()> {
    admin.require(&[Role::Admin])?;
    if !matches!(role, Role::Therapist | Role::Manager) {
        return Err(AppError::field("role", "Staff are therapists or managers."));
    }
    let user = find_staff(state, user_id).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    users::Entity::update_many()
        .col_expr(users::Column::Role, role.into())
        .col_expr(users::Column::UpdatedAt, now.into())
        .filter(users::Column::Id.eq(&user.id))
        .exec(&txn)
        .await?;
    // A new role means new rights: sign the person in again.
    sessions::end_all(&txn, &user.id).await?;
    tokens::revoke_all(&txn, &user.id).await?;
    let entry = admin
        .audit("staff.role_changed")
        .target("user", &user.id)
        .clinic(user.clinic_id.as_deref())
        .detail(format!("{}->{}", user.role, role));
    audit::record(&txn, entry, client, now).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn reset_second_factor(
    state: &AppState,
    admin: &Principal,
    user_id: &str,
    client: &ClientInfo,
) -> AppResult<()> {
    admin.require(&[Role::Admin])?;
    let user = find_staff(state, user_id).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    totp::reset(&txn, &user.id, now).await?;
    sessions::end_all(&txn, &user.id).await?;
    audit::record(
        &txn,
        admin.audit("totp.reset").target("user", &user.id).clinic(user.clinic_id.as_deref()),
        client,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A new invitation for staff who have not set a password yet.
pub async fn resend_invitation(
    state: &AppState,
    admin: &Principal,
    user_id: &str,
    client: &ClientInfo,
) -> AppResult<String> {
    admin.require(&[Role::Admin])?;
    let user = find_staff(state, user_id).await?;
    if user.password_hash.is_some() {
        return Err(AppError::Conflict("this person has accepted their invitation already".into()));
    }
    let clinic = find_clinic(state, user.clinic_id.as_deref().unwrap_or_default()).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let url = send_invitation(state, &txn, &user, &clinic.name, Some(admin.id())).await?;
    audit::record(
        &txn,
        admin.audit("staff.reinvited").target("user", &user.id).clinic(Some(&clinic.id)),
        client,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(url)
}
