//! Integration tests: the real server on a loopback port, against a fresh
//! SQLite file and — when `ICBT_TEST_POSTGRES_URL` is set — a fresh
//! PostgreSQL database, from one test body.

#[macro_use]
mod support;

mod access;
mod admin;
mod api_fuzz;
mod audit_search;
mod browser_manager;
mod browser_pages;
mod browser_patient;
mod browser_therapist;
mod caseload;
mod cli;
mod content;
mod crash;
mod demo;
mod digests;
mod feedback_fidelity;
mod foundation;
mod fuzz;
mod going_quiet;
mod lifecycle;
mod links;
mod local_time;
mod login;
mod mail;
mod not_on_track;
mod patient_api;
mod patient_pages;
mod questionnaire_reminders;
mod record;
mod report_privacy;
mod reports;
mod security;
mod session_end;
mod stepped_care;
mod therapist_time;
mod two_factor;
