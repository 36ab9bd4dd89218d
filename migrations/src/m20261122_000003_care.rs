//! The care record: enrollments, module and item progress, submissions, diary
//! entries, questionnaire responses, messages; the therapist's notifications
//! and the append-only usage events that reports are built from.

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const ENROLLMENTS: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("clinic_id", Kind::Id, NOT_NULL),
    ("team_id", Kind::Id, NULL),
    ("patient_id", Kind::Id, NOT_NULL),
    ("therapist_id", Kind::Id, NOT_NULL),
    ("program_id", Kind::Text(64), NOT_NULL),
    ("case_code", Kind::Text(64), NOT_NULL),
    ("pseudonym", Kind::Text(64), NOT_NULL),
    ("feedback_cadence", Kind::Text(16), NOT_NULL),
    ("feedback_weekday", Kind::Int, NOT_NULL),
    ("auto_unlock", Kind::Bool, NOT_NULL),
    ("status", Kind::Text(16), NOT_NULL),
    ("status_reason", Kind::Text(500), NULL),
    ("enrolled_at", Kind::Instant, NOT_NULL),
    ("activated_at", Kind::Instant, NULL),
    ("last_feedback_at", Kind::Instant, NULL),
    ("last_active_at", Kind::Instant, NULL),
    ("ended_at", Kind::Instant, NULL),
];

const MODULE_STATES: &[Column] = &[
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("module_id", Kind::Text(64), NOT_NULL),
    ("state", Kind::Text(16), NOT_NULL),
    ("opened_at", Kind::Instant, NULL),
    ("completed_at", Kind::Instant, NULL),
];

const ITEM_STATES: &[Column] = &[
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("item_id", Kind::Text(64), NOT_NULL),
    ("hidden", Kind::Bool, NOT_NULL),
    ("viewed_at", Kind::Instant, NULL),
    ("completed_at", Kind::Instant, NULL),
];

const SUBMISSIONS: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("item_id", Kind::Text(64), NOT_NULL),
    ("content_version", Kind::Text(32), NOT_NULL),
    ("answers", Kind::LongText, NOT_NULL),
    ("status", Kind::Text(16), NOT_NULL),
    ("created_at", Kind::Instant, NOT_NULL),
    ("updated_at", Kind::Instant, NOT_NULL),
    ("submitted_at", Kind::Instant, NULL),
    ("reviewed_at", Kind::Instant, NULL),
];

const DIARY_ENTRIES: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("diary_id", Kind::Text(64), NOT_NULL),
    ("entry_date", Kind::Date, NOT_NULL),
    ("content_version", Kind::Text(32), NOT_NULL),
    ("entry_values", Kind::LongText, NOT_NULL),
    ("created_at", Kind::Instant, NOT_NULL),
    ("updated_at", Kind::Instant, NOT_NULL),
    ("reviewed_at", Kind::Instant, NULL),
];

const RESPONSES: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("questionnaire_id", Kind::Text(64), NOT_NULL),
    ("assessment_id", Kind::Text(64), NOT_NULL),
    ("content_version", Kind::Text(32), NOT_NULL),
    ("answers", Kind::LongText, NOT_NULL),
    ("score", Kind::Int, NOT_NULL),
    ("band", Kind::Text(64), NOT_NULL),
    ("risk", Kind::Bool, NOT_NULL),
    ("submitted_at", Kind::Instant, NOT_NULL),
    ("reviewed_at", Kind::Instant, NULL),
];

const MESSAGES: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("sender_id", Kind::Id, NOT_NULL),
    ("from_role", Kind::Text(16), NOT_NULL),
    ("body", Kind::LongText, NOT_NULL),
    ("is_feedback", Kind::Bool, NOT_NULL),
    ("sent_at", Kind::Instant, NOT_NULL),
    ("read_at", Kind::Instant, NULL),
];

const NOTIFICATIONS: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("clinic_id", Kind::Id, NOT_NULL),
    ("therapist_id", Kind::Id, NOT_NULL),
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("kind", Kind::Text(32), NOT_NULL),
    ("item_id", Kind::Text(64), NULL),
    ("urgent", Kind::Bool, NOT_NULL),
    ("created_at", Kind::Instant, NOT_NULL),
    ("seen_at", Kind::Instant, NULL),
];

const USAGE_EVENTS: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("at", Kind::Instant, NOT_NULL),
    ("clinic_id", Kind::Id, NULL),
    ("team_id", Kind::Id, NULL),
    ("therapist_id", Kind::Id, NULL),
    ("patient_pseudonym", Kind::Text(64), NULL),
    ("actor_role", Kind::Text(16), NOT_NULL),
    ("kind", Kind::Text(48), NOT_NULL),
    ("program_id", Kind::Text(64), NULL),
    ("module_id", Kind::Text(64), NULL),
    ("item_id", Kind::Text(64), NULL),
    ("value", Kind::Float, NULL),
];

const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "enrollments",
        columns: ENROLLMENTS,
        primary_key: &["id"],
        unique: &[&["patient_id"], &["clinic_id", "case_code"]],
        indexes: &[&["therapist_id", "status"], &["clinic_id", "enrolled_at"]],
    },
    TableSpec {
        name: "module_states",
        columns: MODULE_STATES,
        primary_key: &["enrollment_id", "module_id"],
        unique: &[],
        indexes: &[],
    },
    TableSpec {
        name: "item_states",
        columns: ITEM_STATES,
        primary_key: &["enrollment_id", "item_id"],
        unique: &[],
        indexes: &[],
    },
    TableSpec {
        name: "submissions",
        columns: SUBMISSIONS,
        primary_key: &["id"],
        unique: &[],
        indexes: &[&["enrollment_id", "item_id"], &["enrollment_id", "submitted_at"]],
    },
    TableSpec {
        name: "diary_entries",
        columns: DIARY_ENTRIES,
        primary_key: &["id"],
        unique: &[&["enrollment_id", "diary_id", "entry_date"]],
        indexes: &[&["enrollment_id", "created_at"]],
    },
    TableSpec {
        name: "questionnaire_responses",
        columns: RESPONSES,
        primary_key: &["id"],
        unique: &[&["enrollment_id", "assessment_id", "questionnaire_id"]],
        indexes: &[],
    },
    TableSpec {
        name: "messages",
        columns: MESSAGES,
        primary_key: &["id"],
        unique: &[],
        indexes: &[&["enrollment_id", "sent_at"]],
    },
    TableSpec {
        name: "notifications",
        columns: NOTIFICATIONS,
        primary_key: &["id"],
        unique: &[],
        indexes: &[&["therapist_id", "seen_at"], &["enrollment_id", "created_at"]],
    },
    TableSpec {
        name: "usage_events",
        columns: USAGE_EVENTS,
        primary_key: &["id"],
        unique: &[],
        indexes: &[&["clinic_id", "at"], &["kind", "at"]],
    },
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, TABLES).await
    }
}
