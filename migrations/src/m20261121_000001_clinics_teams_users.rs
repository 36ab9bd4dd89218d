//! Clinics, their teams and the people who log in.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Clinics {
    Table,
    Id,
    Name,
    RequireStaffTotp,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Teams {
    Table,
    Id,
    ClinicId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Email,
    Name,
    Role,
    ClinicId,
    TeamId,
    PasswordHash,
    Locale,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clinics::Table)
                    .col(ColumnDef::new(Clinics::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Clinics::Name).string_len(200).not_null().unique_key())
                    .col(ColumnDef::new(Clinics::RequireStaffTotp).boolean().not_null().default(false))
                    .col(ColumnDef::new(Clinics::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Teams::Table)
                    .col(ColumnDef::new(Teams::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Teams::ClinicId).string_len(36).not_null())
                    .col(ColumnDef::new(Teams::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Teams::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Teams::Table, Teams::ClinicId)
                            .to(Clinics::Table, Clinics::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .index(Index::create().unique().col(Teams::ClinicId).col(Teams::Name))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).string_len(36).not_null().primary_key())
                    .col(ColumnDef::new(Users::Email).string_len(320).not_null().unique_key())
                    .col(ColumnDef::new(Users::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Users::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Users::ClinicId).string_len(36).null())
                    .col(ColumnDef::new(Users::TeamId).string_len(36).null())
                    .col(ColumnDef::new(Users::PasswordHash).string_len(200).null())
                    .col(ColumnDef::new(Users::Locale).string_len(8).not_null().default("en"))
                    .col(ColumnDef::new(Users::Active).boolean().not_null().default(true))
                    .col(ColumnDef::new(Users::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Users::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::ClinicId)
                            .to(Clinics::Table, Clinics::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_clinic_role")
                    .table(Users::Table)
                    .col(Users::ClinicId)
                    .col(Users::Role)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Teams::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Clinics::Table).to_owned()).await
    }
}
