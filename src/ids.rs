//! Opaque identifiers and secret tokens.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new record id: a UUIDv7 (time-ordered, so indexes stay compact), shown to
/// clients as an opaque string.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A random secret for links and bearer tokens: 256 bits, URL-safe hex.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the database keeps of a secret: its SHA-256, so a leaked table grants
/// nothing.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
