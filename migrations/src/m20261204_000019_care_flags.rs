//! Outcomes that prompt action: a flag on a patient's treatment (such as
//! "still above the stepped-care threshold at the end"), raised from the
//! patient's own scores, open until the therapist decides what to do, and
//! kept with that decision and its reason.

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const CARE_FLAGS: &[Column] = &[
    ("id", Kind::Id, NOT_NULL),
    ("enrollment_id", Kind::Id, NOT_NULL),
    ("kind", Kind::Text(24), NOT_NULL),
    // The questionnaire response that raised it, and what it showed.
    ("response_id", Kind::Id, NULL),
    ("score", Kind::Int, NOT_NULL),
    ("threshold", Kind::Int, NOT_NULL),
    ("raised_at", Kind::Instant, NOT_NULL),
    ("decision", Kind::Text(24), NULL),
    ("reason", Kind::LongText, NULL),
    ("decided_by", Kind::Id, NULL),
    ("decided_at", Kind::Instant, NULL),
];

const TABLES: &[TableSpec] = &[TableSpec {
    name: "care_flags",
    columns: CARE_FLAGS,
    primary_key: &["id"],
    // One flag of a kind per treatment.
    unique: &[&["enrollment_id", "kind"]],
    indexes: &[&["raised_at"]],
}];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tables(manager, TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, TABLES).await
    }
}
