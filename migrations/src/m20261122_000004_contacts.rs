//! Face-to-face and phone contacts logged by the therapist (blended care).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    EnrollmentId,
    TherapistId,
    Kind,
    HeldOn,
    Minutes,
    Note,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(ColumnDef::new(Contacts::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Contacts::EnrollmentId).string_len(36).not_null())
                    .col(ColumnDef::new(Contacts::TherapistId).string_len(36).not_null())
                    .col(ColumnDef::new(Contacts::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Contacts::HeldOn).date().not_null())
                    .col(ColumnDef::new(Contacts::Minutes).integer().not_null())
                    .col(ColumnDef::new(Contacts::Note).string_len(1000).null())
                    .col(ColumnDef::new(Contacts::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contacts_enrollment")
                    .table(Contacts::Table)
                    .col(Contacts::EnrollmentId)
                    .col(Contacts::HeldOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Contacts::Table).to_owned()).await
    }
}
