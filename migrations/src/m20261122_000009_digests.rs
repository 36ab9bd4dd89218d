//! Digests: per therapist, patient and window, the counts of what the patient
//! did, claimed by one worker at a time; the patients' own content-free
//! notices; and the diary reminders patients ask for.

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Claimed rows carry a lease (owner and expiry), so a crashed worker's work
/// is taken up again and a stale worker cannot record a result.
const DIGESTS: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("clinic_id", Kind::Id, NOT_NULL),
    ("therapist_id", Kind::Id, NOT_NULL),
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("due_at", Kind::Instant, NOT_NULL),
    ("by_email", Kind::Bool, NOT_NULL),
    ("layout", Kind::Text(16), NOT_NULL),
    ("diary_entries", Kind::Int, NOT_NULL),
    ("submissions", Kind::Int, NOT_NULL),
    ("pages_completed", Kind::Int, NOT_NULL),
    ("messages", Kind::Int, NOT_NULL),
    ("questionnaires", Kind::Int, NOT_NULL),
    ("modules_completed", Kind::Int, NOT_NULL),
    ("first_event_at", Kind::Instant, NOT_NULL),
    ("last_event_at", Kind::Instant, NOT_NULL),
    ("status", Kind::Text(16), NOT_NULL),
    ("attempts", Kind::Int, NOT_NULL),
    ("next_attempt_at", Kind::Instant, NOT_NULL),
    ("lease_owner", Kind::Text(64), NULL),
    ("lease_until", Kind::Instant, NULL),
    ("outbox_id", Kind::Id, NULL),
    ("done_at", Kind::Instant, NULL),
];

const PATIENT_NOTICES: &[Column] = &[
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("new_message", Kind::Bool, NOT_NULL),
    ("module_opened", Kind::Bool, NOT_NULL),
    ("pending_since", Kind::Instant, NULL),
    ("last_sent_at", Kind::Instant, NULL),
    ("lease_owner", Kind::Text(64), NULL),
    ("lease_until", Kind::Instant, NULL),
];

const DIARY_REMINDERS: &[Column] = &[
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("enabled", Kind::Bool, NOT_NULL),
    ("local_time", Kind::Text(5), NOT_NULL),
    ("unanswered", Kind::Int, NOT_NULL),
    ("last_sent_on", Kind::Date, NULL),
    ("updated_at", Kind::Instant, NOT_NULL),
];

const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "digests",
        columns: DIGESTS,
        primary_key: &["id"],
        unique: &[&["therapist_id", "enrollment_id", "due_at"]],
        indexes: &[
            &["status", "therapist_id", "due_at"],
            &["therapist_id", "due_at"],
            &["enrollment_id", "status"],
        ],
    },
    TableSpec {
        name: "patient_notices",
        columns: PATIENT_NOTICES,
        primary_key: &["enrollment_id"],
        unique: &[],
        indexes: &[&["pending_since"]],
    },
    TableSpec {
        name: "diary_reminders",
        columns: DIARY_REMINDERS,
        primary_key: &["enrollment_id"],
        unique: &[],
        indexes: &[&["enabled", "unanswered"]],
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
