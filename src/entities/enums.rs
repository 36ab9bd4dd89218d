//! The closed sets of values that columns hold, as sea-orm-codegen writes
//! them for enum columns (`sea_orm_active_enums.rs`). They are stored as
//! their text, so the schema is unchanged and both engines read the same.

use std::{fmt, str::FromStr};

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a user may do; every user has exactly one.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    EnumIter,
    DeriveActiveEnum,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Role {
    #[sea_orm(string_value = "patient")]
    Patient,
    #[sea_orm(string_value = "therapist")]
    Therapist,
    #[sea_orm(string_value = "manager")]
    Manager,
    #[sea_orm(string_value = "admin")]
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Therapist => "therapist",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Therapists, managers and administrators.
    pub fn is_staff(self) -> bool {
        self != Role::Patient
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "patient" => Ok(Role::Patient),
            "therapist" => Ok(Role::Therapist),
            "manager" => Ok(Role::Manager),
            "admin" => Ok(Role::Admin),
            other => Err(format!("unknown role {other:?}; use patient, therapist, manager or admin")),
        }
    }
}

/// How often the therapist writes feedback.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Cadence {
    #[sea_orm(string_value = "weekly")]
    Weekly,
    #[sea_orm(string_value = "fortnightly")]
    Fortnightly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Fortnightly => "fortnightly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "weekly" => Some(Cadence::Weekly),
            "fortnightly" => Some(Cadence::Fortnightly),
            _ => None,
        }
    }
}

/// Where a patient's treatment stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum EnrollmentStatus {
    /// Enrolled; the invitation is not accepted yet.
    #[sea_orm(string_value = "invited")]
    Invited,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "paused")]
    Paused,
    #[sea_orm(string_value = "completed")]
    Completed,
    #[sea_orm(string_value = "dropped_out")]
    DroppedOut,
    /// Went on to the next step of stepped care (face-to-face treatment).
    #[sea_orm(string_value = "stepped_up")]
    SteppedUp,
}

impl EnrollmentStatus {
    /// The statuses a therapist may set.
    pub const CHOSEN: [EnrollmentStatus; 5] = [
        EnrollmentStatus::Active,
        EnrollmentStatus::Paused,
        EnrollmentStatus::Completed,
        EnrollmentStatus::DroppedOut,
        EnrollmentStatus::SteppedUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentStatus::Invited => "invited",
            EnrollmentStatus::Active => "active",
            EnrollmentStatus::Paused => "paused",
            EnrollmentStatus::Completed => "completed",
            EnrollmentStatus::DroppedOut => "dropped_out",
            EnrollmentStatus::SteppedUp => "stepped_up",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [EnrollmentStatus::Invited].into_iter().chain(Self::CHOSEN).find(|status| status.as_str() == s)
    }

    /// The treatment is over.
    pub fn has_ended(self) -> bool {
        matches!(
            self,
            EnrollmentStatus::Completed | EnrollmentStatus::DroppedOut | EnrollmentStatus::SteppedUp
        )
    }

    /// On the caseload: invited, active or paused.
    pub const ON_CASELOAD: [EnrollmentStatus; 3] =
        [EnrollmentStatus::Invited, EnrollmentStatus::Active, EnrollmentStatus::Paused];
}

/// What a notification is about; the digest counts them by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum NotificationKind {
    #[sea_orm(string_value = "diary_entry")]
    DiaryEntry,
    #[sea_orm(string_value = "submission")]
    Submission,
    #[sea_orm(string_value = "page_completed")]
    PageCompleted,
    #[sea_orm(string_value = "message")]
    Message,
    #[sea_orm(string_value = "questionnaire")]
    Questionnaire,
    #[sea_orm(string_value = "module_completed")]
    ModuleCompleted,
    /// A questionnaire risk rule: never batched, never switched off.
    #[sea_orm(string_value = "risk")]
    Risk,
}

/// Why a patient's treatment is flagged for the therapist's decision.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum FlagKind {
    /// The end-of-treatment score is at or above the program's stepped-care
    /// threshold: face-to-face treatment may be the next step.
    #[sea_orm(string_value = "stepped_care")]
    SteppedCare,
    /// In weeks 3–4 the patient is still above the clinical threshold without
    /// reliable improvement: more support may prevent failure.
    #[sea_orm(string_value = "not_on_track")]
    NotOnTrack,
}

/// What the therapist decided on a flag.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum FlagDecision {
    /// Stepped up to face-to-face treatment (the status is set too).
    #[sea_orm(string_value = "stepped_up")]
    SteppedUp,
    /// No step-up, with the reason.
    #[sea_orm(string_value = "no_step_up")]
    NoStepUp,
    /// Extra support given to a patient not on track (what, in the reason).
    #[sea_orm(string_value = "extra_support")]
    ExtraSupport,
}
