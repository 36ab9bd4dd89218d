//! Cover: a therapist hands their caseload to a colleague for a period.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Covers {
    Table,
    Id,
    ClinicId,
    AbsentId,
    CoverId,
    StartsOn,
    EndsOn,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Covers::Table)
                    .col(ColumnDef::new(Covers::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Covers::ClinicId).string_len(36).not_null())
                    .col(ColumnDef::new(Covers::AbsentId).string_len(36).not_null())
                    .col(ColumnDef::new(Covers::CoverId).string_len(36).not_null())
                    .col(ColumnDef::new(Covers::StartsOn).date().not_null())
                    .col(ColumnDef::new(Covers::EndsOn).date().not_null())
                    .col(ColumnDef::new(Covers::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_covers_cover").table(Covers::Table).col(Covers::CoverId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Covers::Table).to_owned()).await
    }
}
