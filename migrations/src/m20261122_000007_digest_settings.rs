//! Each therapist's digest preferences.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DigestSettings {
    Table,
    TherapistId,
    Cadence,
    LocalTime,
    Weekday,
    Timezone,
    Layout,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DigestSettings::Table)
                    .col(ColumnDef::new(DigestSettings::TherapistId).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(DigestSettings::Cadence).string_len(16).not_null())
                    .col(ColumnDef::new(DigestSettings::LocalTime).string_len(5).not_null())
                    .col(ColumnDef::new(DigestSettings::Weekday).string_len(3).null())
                    .col(ColumnDef::new(DigestSettings::Timezone).string_len(64).not_null())
                    .col(ColumnDef::new(DigestSettings::Layout).string_len(16).not_null())
                    .col(ColumnDef::new(DigestSettings::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DigestSettings::Table).to_owned()).await
    }
}
