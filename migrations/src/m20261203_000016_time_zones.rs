//! Every date and time a person reads is in their own time zone: a profile
//! setting, and by default their clinic's (which in turn defaults to the
//! deployment's `care.timezone`). Both are optional IANA names.

use sea_orm_migration::prelude::*;

use crate::table_spec::{column, Kind, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["users", "clinics"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            let add = Table::alter()
                .table(Alias::new(table))
                .add_column(column("timezone", Kind::Text(64), NULL))
                .to_owned();
            manager.alter_table(add).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            let drop = Table::alter().table(Alias::new(table)).drop_column(Alias::new("timezone")).to_owned();
            manager.alter_table(drop).await?;
        }
        Ok(())
    }
}
