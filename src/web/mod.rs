//! What every HTML page shares: Tera templates (built into the binary), the
//! Fluent translations, static assets, and the layers that add security
//! headers and turn errors into pages.

pub mod answers;
mod assets;
mod client;
mod csrf;
mod extract;
pub mod fields;
pub mod forms;
mod layers;
pub mod local_time;
pub mod page;
pub mod refill;
pub mod text;
mod views;

pub use assets::{asset_routes, asset_version};
pub use client::ClientInfo;
pub use csrf::{csrf_protect, set_csrf_cookie, CsrfToken, CSRF_COOKIE, CSRF_FIELD};
pub use extract::{AppForm, AppJson};
pub use forms::{confirmed, finish, Notice};
pub use layers::{error_pages, refuse_unstorable_urls, security_headers};
pub use views::{Lang, Views, LANG_COOKIE};
