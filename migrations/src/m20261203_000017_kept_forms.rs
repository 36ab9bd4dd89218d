//! What a person typed into a form when their session had already ended:
//! kept for a short while, for them alone, and put back on the form once they
//! have logged in again. Deleted when restored or expired.

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEPT_FORMS: &[Column] = &[
    // The digest of the browser's secret (cookie `icbt_kept`).
    ("id", Kind::Text(64), NOT_NULL),
    ("user_id", Kind::Id, NOT_NULL),
    ("action", Kind::Text(512), NOT_NULL),
    ("return_to", Kind::Text(512), NOT_NULL),
    ("fields", Kind::LongText, NOT_NULL),
    ("expires_at", Kind::Instant, NOT_NULL),
];

const TABLES: &[TableSpec] = &[TableSpec {
    name: "kept_forms",
    columns: KEPT_FORMS,
    primary_key: &["id"],
    unique: &[],
    indexes: &[&["expires_at"]],
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
