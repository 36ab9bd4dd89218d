use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "digest_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub therapist_id: String,
    pub cadence: super::states::DigestCadence,
    pub local_time: String,
    pub weekday: Option<String>,
    pub timezone: String,
    pub layout: super::states::DigestLayout,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
