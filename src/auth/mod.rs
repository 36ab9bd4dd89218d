//! Authentication: passwords, sessions, API tokens, one-time links, second
//! factors, throttling, and the principal every handler authorizes with.

mod cookies;
pub mod kept_forms;
pub mod links;
pub mod mails;
pub mod password;
mod principal;
pub(crate) mod routes;
pub mod service;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod totp;

pub use principal::{Credential, PendingLogin, Principal};
pub use routes::routes;
