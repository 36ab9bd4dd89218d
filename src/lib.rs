//! icbt: guided internet-based CBT for chronic pain and chronic fatigue.
//!
//! `app` builds the router from the feature folders; `main.rs` is the CLI.

pub mod accounts;
pub mod app;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod care_flags;
pub mod caseload;
pub mod clock;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod diaries;
pub mod digests;
pub mod enrollment;
pub mod entities;
pub mod error;
pub mod home;
pub mod ids;
pub mod lifecycle;
pub mod mail;
pub mod messages;
pub mod ops;
pub mod progress;
pub mod questionnaires;
pub mod reports;
pub mod routing;
pub mod sql;
pub mod state;
pub mod telemetry;
pub mod usage;
pub mod web;
pub mod worker;
