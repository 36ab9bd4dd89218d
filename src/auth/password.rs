//! Password hashing (argon2id) and the password policy.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use crate::error::AppError;

/// OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

const COMMON: &str = include_str!("common-passwords.txt");

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on the blocking pool: argon2 takes tens of milliseconds of CPU and
/// would stall every other request on this async worker thread.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(anyhow::anyhow!("argon2 hash failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but hashed with other parameters: store a fresh hash.
    YesRehash,
}

/// Verifies on the blocking pool (see `hash_password`). A missing hash is
/// checked against a dummy so unknown accounts take as long as known ones.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<Verified, AppError> {
    tokio::task::spawn_blocking(move || {
        let stored = hash.as_deref().unwrap_or_else(|| dummy_hash());
        let Ok(parsed) = PasswordHash::new(stored) else { return Verified::No };
        if argon2().verify_password(password.as_bytes(), &parsed).is_err() || hash.is_none() {
            return Verified::No;
        }
        if needs_rehash(&parsed) {
            Verified::YesRehash
        } else {
            Verified::Yes
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

fn needs_rehash(hash: &PasswordHash<'_>) -> bool {
    let current = Params::try_from(hash).ok();
    hash.algorithm != Algorithm::Argon2id.ident()
        || current.is_none_or(|p| p.m_cost() != MEMORY_KIB || p.t_cost() != PASSES || p.p_cost() != LANES)
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"dummy password for timing", &salt)
            .expect("hashing a constant works")
            .to_string()
    })
}

/// Checks the policy; the message says what to change.
pub fn check_policy(password: &str, email: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("Use at least {MIN_LENGTH} characters (this one has {length})."));
    }
    if length > MAX_LENGTH {
        return Err(format!("Use at most {MAX_LENGTH} characters."));
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|common| common.trim() == lower) {
        return Err("This password is one of the most commonly used; choose another.".into());
    }
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err("Use more different characters.".into());
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Err("Do not use your e-mail address in your password.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_problem() {
        assert!(check_policy("short", "a@b.c").unwrap_err().contains("at least 12"));
        assert!(check_policy("password1234", "a@b.c").unwrap_err().contains("commonly used"));
        assert!(check_policy("aaaaaaaaaaaaaaa", "a@b.c").unwrap_err().contains("different"));
        assert!(check_policy("janssen-garden-7", "janssen@x.nl").unwrap_err().contains("e-mail"));
        assert!(check_policy("quiet river at dawn", "a@b.c").is_ok());
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let hash = hash_password("quiet river at dawn".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify_password("quiet river at dawn".into(), Some(hash.clone())).await.unwrap(),
            Verified::Yes
        );
        assert_eq!(verify_password("wrong".into(), Some(hash)).await.unwrap(), Verified::No);
        assert_eq!(verify_password("x".into(), None).await.unwrap(), Verified::No);
    }

    #[tokio::test]
    async fn weaker_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap());
        let salt = SaltString::generate(&mut OsRng);
        let hash = weak.hash_password(b"quiet river at dawn", &salt).unwrap().to_string();
        let outcome = verify_password("quiet river at dawn".into(), Some(hash)).await.unwrap();
        assert_eq!(outcome, Verified::YesRehash);
    }
}
