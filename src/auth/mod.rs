//! Authentication: passwords, sessions, tokens and second factors.

pub mod password;
