use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub clinic_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    pub total: i32,
    pub referrals: Option<i32>,
    pub trained_therapists: Option<i32>,
    pub updated_by: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
