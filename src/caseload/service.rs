//! Building the caseload: a handful of grouped queries for all of a
//! therapist's patients at once, never a query per patient.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use serde::Serialize;

use crate::enrollment::schedule::feedback_due_on;
use crate::entities::enums::{EnrollmentStatus, FlagKind};
use crate::{
    accounts::Role,
    auth::Principal,
    content::Catalogue,
    entities::{
        care_flags, diary_entries, enrollments, messages, module_states, questionnaire_responses, submissions,
    },
    error::AppResult,
    state::AppState,
};

/// One patient on the caseload (API.md `GET /api/v1/caseload`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CaseloadRow {
    pub id: String,
    pub case_code: String,
    pub program: String,
    pub status: EnrollmentStatus,
    pub current_module: Option<String>,
    pub new_diary_entries: u64,
    pub new_submissions: u64,
    pub new_questionnaires: u64,
    pub unanswered_messages: u64,
    pub feedback_due_on: NaiveDate,
    pub feedback_overdue: bool,
    pub last_active_at: Option<DateTime<Utc>>,
    /// Gone quiet (`care_flags::going_quiet`): no activity for the clinic's
    /// days and for more than twice the patient's usual gap.
    pub inactive: bool,
    pub quiet: Option<crate::care_flags::going_quiet::Quiet>,
    pub risk_flags: Vec<String>,
    /// Flags waiting for the therapist's decision (`stepped_care`).
    pub care_flags: Vec<FlagKind>,
    /// Assessments (such as "end") whose questionnaires have been due for a
    /// week or more and are not answered.
    pub questionnaires_overdue: Vec<String>,
}

impl CaseloadRow {
    /// Smaller sorts first: risk, overdue feedback, a decision to take,
    /// unanswered messages, new work, feedback due this week, inactivity,
    /// then the due date.
    fn urgency(&self, today: NaiveDate) -> (u8, NaiveDate) {
        let rank = if !self.risk_flags.is_empty() {
            0
        } else if self.feedback_overdue {
            1
        } else if !self.care_flags.is_empty() || !self.questionnaires_overdue.is_empty() {
            2
        } else if self.unanswered_messages > 0 {
            3
        } else if self.new_diary_entries + self.new_submissions + self.new_questionnaires > 0 {
            4
        } else if self.feedback_due_on <= today + Duration::days(6) {
            5
        } else if self.inactive {
            6
        } else {
            7
        };
        (rank, self.feedback_due_on)
    }
}

/// Counts per enrollment of rows not yet reviewed.
async fn unreviewed<E: EntityTrait>(
    db: &impl ConnectionTrait,
    ids: &[String],
    enrollment: E::Column,
    reviewed: E::Column,
    extra: Option<sea_orm::Condition>,
) -> AppResult<HashMap<String, u64>> {
    let mut select = E::find()
        .select_only()
        .column(enrollment)
        .column_as(Expr::col(enrollment).count(), "n")
        .filter(enrollment.is_in(ids.iter().cloned()))
        .filter(reviewed.is_null())
        .group_by(enrollment);
    if let Some(condition) = extra {
        select = select.filter(condition);
    }
    let rows: Vec<(String, i64)> = select.into_tuple().all(db).await?;
    Ok(rows.into_iter().map(|(id, n)| (id, n.max(0) as u64)).collect())
}

/// The therapist's patients with their counts, most urgent first.
pub async fn caseload(state: &AppState, therapist: &Principal) -> AppResult<Vec<CaseloadRow>> {
    if therapist.role != Role::Therapist {
        return Ok(Vec::new());
    }
    let db = &state.db;
    let today = crate::diaries::service::today(state);
    let mut therapists = crate::enrollment::cover::covering_for(db, therapist.id(), today).await?;
    therapists.push(therapist.id().to_string());
    // A treatment that ended with a decision still to take stays on.
    let waiting = care_flags::Entity::find()
        .select_only()
        .column(care_flags::Column::EnrollmentId)
        .filter(care_flags::Column::DecidedAt.is_null())
        .as_query()
        .to_owned();
    let list = enrollments::Entity::find()
        .filter(enrollments::Column::TherapistId.is_in(therapists))
        .filter(
            sea_orm::Condition::any()
                .add(enrollments::Column::Status.is_in(EnrollmentStatus::ON_CASELOAD))
                .add(enrollments::Column::Id.in_subquery(waiting)),
        )
        .order_by_asc(enrollments::Column::CaseCode)
        .all(db)
        .await?;
    let ids: Vec<String> = list.iter().map(|e| e.id.clone()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let facts = Facts {
        flags: crate::care_flags::open::open_kinds(db, &ids).await?,
        overdue: crate::questionnaires::reminders::overdue(db, &ids, state.clock.now()).await?,
        quiet: crate::care_flags::going_quiet::quiet_patients(
            db,
            &list,
            state.settings.care.timezone,
            state.clock.now(),
        )
        .await?,
        unseen: Unseen::load(db, &ids).await?,
        risks: risk_flags(db, &state.content, &ids).await?,
        open_modules: current_modules(db, &ids).await?,
        today,
    };
    let mut rows: Vec<CaseloadRow> = list.into_iter().map(|e| facts.row(state, e)).collect();
    rows.sort_by_key(|row| row.urgency(today));
    Ok(rows)
}

/// What each patient did that the therapist has not reviewed yet, by
/// enrollment id.
struct Unseen {
    diaries: HashMap<String, u64>,
    submitted: HashMap<String, u64>,
    questionnaires: HashMap<String, u64>,
    unread: HashMap<String, u64>,
}

impl Unseen {
    async fn load(db: &sea_orm::DatabaseConnection, ids: &[String]) -> AppResult<Self> {
        let diaries = unreviewed::<diary_entries::Entity>(
            db,
            ids,
            diary_entries::Column::EnrollmentId,
            diary_entries::Column::ReviewedAt,
            None,
        )
        .await?;
        let submitted =
            unreviewed::<submissions::Entity>(
                db,
                ids,
                submissions::Column::EnrollmentId,
                submissions::Column::ReviewedAt,
                Some(sea_orm::Condition::all().add(
                    submissions::Column::Status.eq(crate::entities::states::SubmissionStatus::Submitted),
                )),
            )
            .await?;
        let questionnaires = unreviewed::<questionnaire_responses::Entity>(
            db,
            ids,
            questionnaire_responses::Column::EnrollmentId,
            questionnaire_responses::Column::ReviewedAt,
            None,
        )
        .await?;
        let unread = unreviewed::<messages::Entity>(
            db,
            ids,
            messages::Column::EnrollmentId,
            messages::Column::ReadAt,
            Some(sea_orm::Condition::all().add(messages::Column::FromRole.eq(Role::Patient))),
        )
        .await?;
        Ok(Unseen { diaries, submitted, questionnaires, unread })
    }
}

/// Everything a caseload row is read from besides the enrollment.
struct Facts {
    unseen: Unseen,
    flags: HashMap<String, Vec<FlagKind>>,
    overdue: HashMap<String, Vec<String>>,
    quiet: HashMap<String, crate::care_flags::going_quiet::Quiet>,
    risks: HashMap<String, Vec<String>>,
    open_modules: HashMap<String, String>,
    today: NaiveDate,
}

impl Facts {
    fn row(&self, state: &AppState, e: enrollments::Model) -> CaseloadRow {
        let count = |map: &HashMap<String, u64>| map.get(&e.id).copied().unwrap_or(0);
        let due = feedback_due_on(&e, state.settings.care.timezone);
        let program = state.content.program(&e.program_id);
        let current_module = self.open_modules.get(&e.id).and_then(|module| {
            program.and_then(|p| p.modules.iter().find(|m| &m.id == module)).map(|m| m.title.clone())
        });
        let last_active = e.last_active_at;
        let active = e.status == EnrollmentStatus::Active;
        CaseloadRow {
            new_diary_entries: count(&self.unseen.diaries),
            new_submissions: count(&self.unseen.submitted),
            new_questionnaires: count(&self.unseen.questionnaires),
            unanswered_messages: count(&self.unseen.unread),
            feedback_due_on: due,
            feedback_overdue: self.today > due && active,
            inactive: self.quiet.contains_key(&e.id),
            quiet: self.quiet.get(&e.id).copied(),
            last_active_at: last_active,
            risk_flags: self.risks.get(&e.id).cloned().unwrap_or_default(),
            care_flags: self.flags.get(&e.id).cloned().unwrap_or_default(),
            questionnaires_overdue: self.overdue.get(&e.id).cloned().unwrap_or_default(),
            current_module,
            id: e.id,
            case_code: e.case_code,
            program: e.program_id,
            status: e.status,
        }
    }
}

/// Unhandled questionnaire answers that tripped a risk rule, as the rule's
/// message (e.g. "PHQ-9 item 9"). Only the therapist's "I have contacted
/// the patient" (`risk::handle_risk`) clears them, not feedback.
async fn risk_flags(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    ids: &[String],
) -> AppResult<HashMap<String, Vec<String>>> {
    let flagged = questionnaire_responses::Entity::find()
        .filter(questionnaire_responses::Column::EnrollmentId.is_in(ids.iter().cloned()))
        .filter(questionnaire_responses::Column::Risk.eq(true))
        .filter(questionnaire_responses::Column::RiskHandledAt.is_null())
        .all(db)
        .await?;
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for response in flagged {
        let messages = super::risk::risks_in(content, &response).into_iter().map(|r| r.message);
        out.entry(response.enrollment_id.clone()).or_default().extend(messages);
    }
    Ok(out)
}

/// The first open module of each enrollment.
async fn current_modules(db: &impl ConnectionTrait, ids: &[String]) -> AppResult<HashMap<String, String>> {
    let open = module_states::Entity::find()
        .filter(module_states::Column::EnrollmentId.is_in(ids.iter().cloned()))
        .filter(module_states::Column::State.eq(crate::entities::states::ModuleState::Open))
        .order_by_asc(module_states::Column::OpenedAt)
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for state in open {
        out.entry(state.enrollment_id).or_insert(state.module_id);
    }
    Ok(out)
}
