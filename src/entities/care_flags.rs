use sea_orm::entity::prelude::*;

use super::enums::{FlagDecision, FlagKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_flags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub enrollment_id: String,
    pub kind: FlagKind,
    pub response_id: Option<String>,
    pub score: i32,
    pub threshold: i32,
    pub raised_at: DateTimeUtc,
    pub decision: Option<FlagDecision>,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    /// JSON: what the flag rests on (see `care_flags::not_on_track`).
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
