//! Indexes for the caseload's "not yet reviewed" counts: with a year of
//! diaries per patient, counting must not read every entry of the caseload.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table, columns)
const INDEXES: &[(&str, &str, &[&str])] = &[
    ("idx_diary_entries_unreviewed", "diary_entries", &["enrollment_id", "reviewed_at"]),
    ("idx_submissions_unreviewed", "submissions", &["enrollment_id", "reviewed_at"]),
    ("idx_questionnaire_responses_unreviewed", "questionnaire_responses", &["enrollment_id", "reviewed_at"]),
    ("idx_messages_unread", "messages", &["enrollment_id", "from_role", "read_at"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table(Alias::new(*table));
            for column in *columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            manager.drop_index(Index::drop().name(*name).table(Alias::new(*table)).to_owned()).await?;
        }
        Ok(())
    }
}
