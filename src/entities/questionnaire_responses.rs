use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questionnaire_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub enrollment_id: String,
    pub questionnaire_id: String,
    pub assessment_id: String,
    pub content_version: String,
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    pub score: i32,
    pub band: String,
    pub risk: bool,
    pub submitted_at: DateTimeUtc,
    pub reviewed_at: Option<DateTimeUtc>,
    pub risk_handled_at: Option<DateTimeUtc>,
    pub risk_handled_by: Option<String>,
    pub risk_note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
