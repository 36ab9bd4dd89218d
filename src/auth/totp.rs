//! Two-factor authentication with time-based one-time codes (RFC 6238) and
//! single-use recovery codes.

use chrono::{DateTime, Utc};
use qrcodegen::{QrCode, QrCodeEcc};
use rand::Rng;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{
    entities::{recovery_codes, users},
    error::{AppError, AppResult},
    ids,
};

const ISSUER: &str = "icbt";
pub const RECOVERY_CODE_COUNT: usize = 10;

fn totp_for(secret_base32: &str, email: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored TOTP secret is not base32: {e:?}")))?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some(ISSUER.into()), email.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("TOTP parameters: {e}")))
}

/// A fresh secret (base32), not yet active.
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

/// The `otpauth://` URL an authenticator app scans.
pub fn provisioning_url(secret_base32: &str, email: &str) -> AppResult<String> {
    Ok(totp_for(secret_base32, email)?.get_url())
}

/// The provisioning URL as an SVG QR code (rendered on the server: no script).
pub fn qr_svg(url: &str) -> AppResult<String> {
    let qr = QrCode::encode_text(url, QrCodeEcc::Medium)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e:?}")))?;
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"220\" height=\"220\" \
         role=\"img\" aria-label=\"QR code for your authenticator app\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// True when `code` is the current code (or the one just before or after).
pub fn code_matches(secret_base32: &str, email: &str, code: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(false);
    }
    Ok(totp_for(secret_base32, email)?.check(&code, now.timestamp().max(0) as u64))
}

/// The code an authenticator would show at `now` (for tests and the demo).
pub fn current_code(secret_base32: &str, email: &str, now: DateTime<Utc>) -> AppResult<String> {
    Ok(totp_for(secret_base32, email)?.generate(now.timestamp().max(0) as u64))
}

/// Checks a one-time code or, failing that, spends a recovery code.
pub async fn verify_second_factor(
    db: &impl ConnectionTrait,
    user: &users::Model,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(secret) = user.totp_secret.as_deref().filter(|_| user.totp_enabled_at.is_some()) else {
        return Ok(false);
    };
    if code_matches(secret, &user.email, code, now)? {
        return Ok(true);
    }
    let digest = ids::secret_digest(&normalize_recovery_code(code));
    let spent = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, now.into())
        .filter(recovery_codes::Column::UserId.eq(&user.id))
        .filter(recovery_codes::Column::CodeDigest.eq(digest))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(spent.rows_affected == 1)
}

fn normalize_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase()
}

/// Switches the second factor on once the user proved their app works, and
/// returns fresh recovery codes to show once.
pub async fn enable(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &users::Model,
    secret_base32: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    let codes: Vec<String> = (0..RECOVERY_CODE_COUNT).map(|_| new_recovery_code()).collect();
    let txn = db.begin().await?;
    users::Entity::update_many()
        .col_expr(users::Column::TotpSecret, Some(secret_base32.to_string()).into())
        .col_expr(users::Column::TotpEnabledAt, Some(now).into())
        .col_expr(users::Column::UpdatedAt, now.into())
        .filter(users::Column::Id.eq(&user.id))
        .exec(&txn)
        .await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(&user.id))
        .exec(&txn)
        .await?;
    let rows = codes.iter().map(|code| recovery_codes::ActiveModel {
        id: Set(ids::new_id()),
        user_id: Set(user.id.clone()),
        code_digest: Set(ids::secret_digest(&normalize_recovery_code(code))),
        used_at: Set(None),
    });
    recovery_codes::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    txn.commit().await?;
    Ok(codes)
}

/// Removes the second factor (an administrator's reset, audited by the caller).
pub async fn reset(db: &impl ConnectionTrait, user_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::TotpSecret, Option::<String>::None.into())
        .col_expr(users::Column::TotpEnabledAt, Option::<DateTime<Utc>>::None.into())
        .col_expr(users::Column::UpdatedAt, now.into())
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}

/// Ten characters in two groups, from an alphabet without look-alikes.
fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: String = (0..10).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}
