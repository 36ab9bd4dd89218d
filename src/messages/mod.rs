//! The secure inbox: one thread between a patient and their therapist.
//! Feedback is a message from the therapist that marks what it covers as
//! reviewed.

pub(crate) mod routes;
pub mod service;

pub use routes::routes;
