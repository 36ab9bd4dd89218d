//! Feedback snippets: short texts therapists reuse, personal or shared with
//! their clinic.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Snippets {
    Table,
    Id,
    ClinicId,
    OwnerId,
    Shared,
    Title,
    Body,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Snippets::Table)
                    .col(ColumnDef::new(Snippets::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Snippets::ClinicId).string_len(36).not_null())
                    .col(ColumnDef::new(Snippets::OwnerId).string_len(36).not_null())
                    .col(ColumnDef::new(Snippets::Shared).boolean().not_null())
                    .col(ColumnDef::new(Snippets::Title).string_len(120).not_null())
                    .col(ColumnDef::new(Snippets::Body).string_len(2000).not_null())
                    .col(ColumnDef::new(Snippets::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_snippets_clinic")
                    .table(Snippets::Table)
                    .col(Snippets::ClinicId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Snippets::Table).to_owned()).await
    }
}
