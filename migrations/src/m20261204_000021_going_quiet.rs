//! Going quiet: after how many days without activity a clinic wants to hear
//! of a patient (default 7, measured against the patient's own rhythm), and
//! per treatment how many "your program is waiting for you" notices have
//! gone out since the patient was last active (at most three in a row).

use sea_orm_migration::prelude::*;

use crate::table_spec::{column, Kind, NOT_NULL, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let clinics = Table::alter()
            .table(Alias::new("clinics"))
            .add_column(column("quiet_after_days", Kind::Int, NULL))
            .to_owned();
        manager.alter_table(clinics).await?;
        let count = column("quiet_notices", Kind::Int, NOT_NULL).default(0).to_owned();
        for add in [count, column("quiet_notice_at", Kind::Instant, NULL)] {
            let alter = Table::alter().table(Alias::new("enrollments")).add_column(add).to_owned();
            manager.alter_table(alter).await?;
        }
        let flag = column("program_waiting", Kind::Bool, NOT_NULL).default(false).to_owned();
        let alter = Table::alter().table(Alias::new("patient_notices")).add_column(flag).to_owned();
        manager.alter_table(alter).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("patient_notices", "program_waiting"),
            ("enrollments", "quiet_notice_at"),
            ("enrollments", "quiet_notices"),
            ("clinics", "quiet_after_days"),
        ] {
            let drop = Table::alter().table(Alias::new(table)).drop_column(Alias::new(name)).to_owned();
            manager.alter_table(drop).await?;
        }
        Ok(())
    }
}
