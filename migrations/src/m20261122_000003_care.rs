//! The care record: enrollments, module and item progress, submissions, diary
//! entries, questionnaire responses, messages; the therapist's notifications
//! and the append-only usage events that reports are built from.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables are described as (name, columns, indexes); each column as
/// (name, type, nullable). Keeping them as data keeps this file readable.
#[derive(Clone, Copy)]
enum Kind {
    Id,
    Text(u32),
    LongText,
    Bool,
    Int,
    Float,
    Date,
    Instant,
}

const NULL: bool = true;
const NOT_NULL: bool = false;

type Column = (&'static str, Kind, bool);

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

struct TableSpec {
    name: &'static str,
    columns: &'static [Column],
    primary_key: &'static [&'static str],
    unique: &'static [&'static [&'static str]],
    indexes: &'static [&'static [&'static str]],
}

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

fn column(name: &'static str, kind: Kind, nullable: bool) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(name));
    match kind {
        Kind::Id => def.string_len(36),
        Kind::Text(n) => def.string_len(n),
        Kind::LongText => def.text(),
        Kind::Bool => def.boolean(),
        Kind::Int => def.integer(),
        Kind::Float => def.double(),
        Kind::Date => def.date(),
        Kind::Instant => def.timestamp_with_time_zone(),
    };
    if nullable {
        def.null();
    } else {
        def.not_null();
    }
    def
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            let mut create = Table::create();
            create.table(Alias::new(table.name));
            for (name, kind, nullable) in table.columns {
                create.col(column(name, *kind, *nullable));
            }
            let mut pk = Index::create();
            for col in table.primary_key {
                pk.col(Alias::new(*col));
            }
            create.primary_key(&mut pk);
            manager.create_table(create).await?;
            for (n, cols) in table.unique.iter().enumerate() {
                let mut index = Index::create();
                index.name(format!("uq_{}_{n}", table.name)).table(Alias::new(table.name)).unique();
                for col in *cols {
                    index.col(Alias::new(*col));
                }
                manager.create_index(index).await?;
            }
            for (n, cols) in table.indexes.iter().enumerate() {
                let mut index = Index::create();
                index.name(format!("idx_{}_{n}", table.name)).table(Alias::new(table.name));
                for col in *cols {
                    index.col(Alias::new(*col));
                }
                manager.create_index(index).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(Alias::new(table.name)).to_owned()).await?;
        }
        Ok(())
    }
}
