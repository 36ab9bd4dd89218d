//! Feedback is an explicit act, and each feedback occasion (a patient's
//! feedback day) counts once: the enrollment remembers the last occasion
//! recorded as due and the last one met on time, so feedback given early
//! (or twice before the day) can never make the on-time share pass 100 %.

use sea_orm_migration::prelude::*;

use crate::table_spec::{column, Kind, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 2] = ["feedback_due_for", "feedback_on_time_for"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS {
            let add = Table::alter()
                .table(Alias::new("enrollments"))
                .add_column(column(name, Kind::Date, NULL))
                .to_owned();
            manager.alter_table(add).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in COLUMNS {
            let drop =
                Table::alter().table(Alias::new("enrollments")).drop_column(Alias::new(name)).to_owned();
            manager.alter_table(drop).await?;
        }
        Ok(())
    }
}
