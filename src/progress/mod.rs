//! A patient's way through their program: which modules are open, which
//! items are done, what is hidden; opening and completing modules.

pub(crate) mod routes;
pub mod service;

pub use routes::{api_routes, page_routes};
