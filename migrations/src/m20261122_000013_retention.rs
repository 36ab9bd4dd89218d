//! How long a clinic keeps a patient's record after treatment ends. Empty
//! means until an administrator erases it by hand.

use sea_orm_migration::prelude::*;

use crate::table_spec::{column, Kind, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = Table::alter()
            .table(Alias::new("clinics"))
            .add_column(column("retention_months", Kind::Int, NULL))
            .to_owned();
        manager.alter_table(add).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = Table::alter()
            .table(Alias::new("clinics"))
            .drop_column(Alias::new("retention_months"))
            .to_owned();
        manager.alter_table(drop).await
    }
}
