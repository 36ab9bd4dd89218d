use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub clinic_id: String,
    pub therapist_id: String,
    pub enrollment_id: String,
    pub kind: super::enums::NotificationKind,
    pub item_id: Option<String>,
    pub urgent: bool,
    pub created_at: DateTimeUtc,
    pub seen_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
