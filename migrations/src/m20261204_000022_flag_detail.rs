//! What a flag rests on, for the record's banner: for "not on track", the
//! week, the baseline score and the last week's diary mean.

use sea_orm_migration::prelude::*;

use crate::table_spec::{column, Kind, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = Table::alter()
            .table(Alias::new("care_flags"))
            .add_column(column("detail", Kind::LongText, NULL))
            .to_owned();
        manager.alter_table(add).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop =
            Table::alter().table(Alias::new("care_flags")).drop_column(Alias::new("detail")).to_owned();
        manager.alter_table(drop).await
    }
}
