use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "digests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub clinic_id: String,
    pub therapist_id: String,
    pub enrollment_id: String,
    pub due_at: DateTimeUtc,
    pub by_email: bool,
    pub layout: super::states::DigestLayout,
    pub diary_entries: i32,
    pub submissions: i32,
    pub pages_completed: i32,
    pub messages: i32,
    pub questionnaires: i32,
    pub modules_completed: i32,
    pub first_event_at: DateTimeUtc,
    pub last_event_at: DateTimeUtc,
    pub status: super::states::DigestStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub outbox_id: Option<String>,
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
