//! What every HTML page shares: Tera templates (built into the binary), the
//! Fluent translations, static assets, and the layers that add security
//! headers and turn errors into pages.

mod assets;
mod layers;
mod views;

pub use assets::{asset_routes, ASSET_VERSION};
pub use layers::{error_pages, security_headers};
pub use views::{Lang, Views};
