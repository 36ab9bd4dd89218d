//! A risk answer is handled by an explicit act of the therapist ("I have
//! contacted the patient", with a note), not by the next feedback message:
//! until then it stays first on the caseload and on top of the record.

use sea_orm_migration::prelude::*;

use crate::table_spec::{column, Kind, NULL};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [(&str, Kind); 3] =
    [("risk_handled_at", Kind::Instant), ("risk_handled_by", Kind::Id), ("risk_note", Kind::LongText)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        for (name, kind) in COLUMNS {
            let add = Table::alter()
                .table(Alias::new("questionnaire_responses"))
                .add_column(column(name, kind, NULL))
                .to_owned();
            manager.alter_table(add).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in COLUMNS {
            let drop = Table::alter()
                .table(Alias::new("questionnaire_responses"))
                .drop_column(Alias::new(name))
                .to_owned();
            manager.alter_table(drop).await?;
        }
        Ok(())
    }
}
