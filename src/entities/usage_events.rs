use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub at: DateTimeUtc,
    pub clinic_id: Option<String>,
    pub team_id: Option<String>,
    pub therapist_id: Option<String>,
    pub patient_pseudonym: Option<String>,
    pub actor_role: super::enums::Role,
    pub kind: String,
    pub program_id: Option<String>,
    pub module_id: Option<String>,
    pub item_id: Option<String>,
    pub value: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
