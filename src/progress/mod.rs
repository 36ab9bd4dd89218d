//! A patient's way through their program: which modules are open, which
//! items are done, what is hidden; opening and completing modules.

mod home;
mod pages;
pub(crate) mod routes;
pub mod service;
pub mod tailoring;

pub use pages::{render_item, Refused};
pub use routes::routes;
pub use tailoring::{change_module, set_hidden};
