//! The clinic's total number of treatments per month, entered by its
//! manager, so reports can show ICBT's share of them (digital share).

use sea_orm_migration::prelude::*;

use crate::table_spec::{create_tables, drop_tables, Column, Kind, TableSpec, NOT_NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TREATMENT_TOTALS: &[Column] = &[
    ("clinic_id", Kind::Id, NOT_NULL),
    ("month", Kind::Text(7), NOT_NULL),
    ("total", Kind::Int, NOT_NULL),
    ("updated_by", Kind::Id, NOT_NULL),
    ("updated_at", Kind::Instant, NOT_NULL),
];

const TABLES: &[TableSpec] = &[TableSpec {
    name: "treatment_totals",
    columns: TREATMENT_TOTALS,
    primary_key: &["clinic_id", "month"],
    unique: &[],
    indexes: &[],
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
