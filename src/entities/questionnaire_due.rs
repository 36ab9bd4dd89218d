use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire_due")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enrollment_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub assessment_id: String,
    pub due_since: DateTimeUtc,
    pub notified_at: DateTimeUtc,
    pub reminded_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
