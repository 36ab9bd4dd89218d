use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub clinic_id: String,
    pub team_id: Option<String>,
    pub patient_id: String,
    pub therapist_id: String,
    pub program_id: String,
    pub case_code: String,
    pub pseudonym: String,
    pub feedback_cadence: super::enums::Cadence,
    pub feedback_weekday: i32,
    pub auto_unlock: bool,
    pub status: super::enums::EnrollmentStatus,
    pub status_reason: Option<String>,
    pub enrolled_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
    pub last_feedback_at: Option<DateTimeUtc>,
    /// The last feedback day recorded as due, and the last met on time.
    pub feedback_due_for: Option<Date>,
    pub feedback_on_time_for: Option<Date>,
    /// "Your program is waiting" notices since the patient was last active.
    pub quiet_notices: i32,
    pub quiet_notice_at: Option<DateTimeUtc>,
    pub last_active_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
