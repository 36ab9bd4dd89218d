//! Module and item states, the program as a patient sees it, and the rules
//! for completing and unlocking modules.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;

use crate::{
    accounts::Role,
    content::{Catalogue, Item, ItemKind, Module, Program},
    digests::{self, NotificationKind},
    entities::{enrollments, item_states, module_states, submissions},
    error::{AppError, AppResult},
    usage::{self, UsageEvent},
};

pub use crate::entities::states::ModuleState;

/// Everything stored about one patient's progress.
pub struct Progress {
    pub modules: HashMap<String, module_states::Model>,
    pub items: HashMap<String, item_states::Model>,
    /// Assignments with a submitted (not draft) answer.
    pub submitted: std::collections::HashSet<String>,
}

impl Progress {
    pub async fn load(db: &impl ConnectionTrait, enrollment_id: &str) -> AppResult<Self> {
        let modules = module_states::Entity::find()
            .filter(module_states::Column::EnrollmentId.eq(enrollment_id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.module_id.clone(), m))
            .collect();
        let items = item_states::Entity::find()
            .filter(item_states::Column::EnrollmentId.eq(enrollment_id))
            .all(db)
            .await?
            .into_iter()
            .map(|i| (i.item_id.clone(), i))
            .collect();
        let submitted = submissions::Entity::find()
            .filter(submissions::Column::EnrollmentId.eq(enrollment_id))
            .filter(submissions::Column::Status.eq(crate::entities::states::SubmissionStatus::Submitted))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.item_id)
            .collect();
        Ok(Progress { modules, items, submitted })
    }

    pub fn module_state(&self, module_id: &str) -> ModuleState {
        self.modules.get(module_id).map_or(ModuleState::Locked, |m| m.state)
    }

    /// The module the patient has reached: the last one open in program
    /// order, else the last one completed.
    pub fn reached_module<'a>(&self, program: &'a Program) -> Option<&'a str> {
        let last =
            |state: ModuleState| program.modules.iter().rev().find(|m| self.module_state(&m.id) == state);
        last(ModuleState::Open).or_else(|| last(ModuleState::Completed)).map(|m| m.id.as_str())
    }

    /// Diaries stay open once their module has been opened, whatever follows.
    fn module_started(&self, module_id: &str) -> bool {
        self.modules.get(module_id).is_some_and(|m| m.opened_at.is_some())
    }

    pub fn is_hidden(&self, item_id: &str) -> bool {
        self.items.get(item_id).is_some_and(|i| i.hidden)
    }

    pub fn is_done(&self, item: &Item) -> bool {
        match item.kind {
            ItemKind::Page => self.items.get(&item.id).is_some_and(|i| i.completed_at.is_some()),
            ItemKind::Assignment => self.submitted.contains(&item.id),
            ItemKind::Diary => false,
        }
    }

    /// Whether the patient may open `item` of `module`.
    pub fn can_open(&self, module: &Module, item: &Item) -> bool {
        if self.is_hidden(&item.id) {
            return false;
        }
        match item.kind {
            ItemKind::Diary => self.module_started(&module.id),
            _ => matches!(self.module_state(&module.id), ModuleState::Open | ModuleState::Completed),
        }
    }

    pub fn item_state(&self, module: &Module, item: &Item) -> &'static str {
        if !self.can_open(module, item) {
            "locked"
        } else if self.is_done(item) {
            "completed"
        } else {
            "open"
        }
    }
}

/// The program as the patient sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramView {
    pub program: ProgramRef,
    pub modules: Vec<ModuleView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramRef {
    pub id: String,
    pub title: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ModuleView {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub state: ModuleState,
    /// Pages and assignments done, of those shown (diaries are daily).
    pub steps_done: usize,
    pub steps: usize,
    pub items: Vec<ItemView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub minutes: u32,
    pub state: &'static str,
}

pub fn program_view(program: &Program, progress: &Progress) -> ProgramView {
    ProgramView {
        program: ProgramRef { id: program.id.clone(), title: program.title.clone() },
        modules: program
            .modules
            .iter()
            .map(|module| {
                let shown: Vec<&Item> =
                    module.items.iter().filter(|item| !progress.is_hidden(&item.id)).collect();
                let steps: Vec<&&Item> = shown.iter().filter(|item| item.kind != ItemKind::Diary).collect();
                ModuleView {
                    id: module.id.clone(),
                    title: module.title.clone(),
                    summary: module.summary.clone(),
                    state: progress.module_state(&module.id),
                    steps_done: steps.iter().filter(|item| progress.is_done(item)).count(),
                    steps: steps.len(),
                    items: shown
                        .iter()
                        .map(|item| ItemView {
                            id: item.id.clone(),
                            kind: item.kind.as_str().to_string(),
                            title: item.title.clone(),
                            minutes: item.minutes,
                            state: progress.item_state(module, item),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The enrollment's program from the catalogue.
pub fn program_of<'a>(content: &'a Catalogue, enrollment: &enrollments::Model) -> AppResult<&'a Program> {
    content.program(&enrollment.program_id).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("program {} is not in the content", enrollment.program_id))
    })
}

/// An item the patient may open; 404 when it is not theirs to see (yet).
pub fn open_item<'a>(
    program: &'a Program,
    progress: &Progress,
    item_id: &str,
    kind: Option<ItemKind>,
) -> AppResult<(&'a Module, &'a Item)> {
    program
        .modules
        .iter()
        .find_map(|m| m.items.iter().find(|i| i.id == item_id).map(|i| (m, i)))
        .filter(|(m, i)| progress.can_open(m, i) && kind.is_none_or(|k| i.kind == k))
        .ok_or(AppError::NotFound)
}

/// Records that the patient opened an item.
pub async fn record_view(
    db: &impl ConnectionTrait,
    enrollment: &enrollments::Model,
    module: &Module,
    item: &Item,
    now: DateTime<Utc>,
) -> AppResult<()> {
    upsert_item_state(db, &enrollment.id, &item.id, Some(now), None).await?;
    let event = UsageEvent::new(match item.kind {
        ItemKind::Page => "page.viewed",
        ItemKind::Assignment => "assignment.viewed",
        ItemKind::Diary => "diary.viewed",
    });
    usage::record(db, enrollment, Role::Patient, event.module(&module.id).item(&item.id), now).await
}

async fn upsert_item_state(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    item_id: &str,
    viewed: Option<DateTime<Utc>>,
    completed: Option<DateTime<Utc>>,
) -> AppResult<()> {
    let row = item_states::ActiveModel {
        enrollment_id: Set(enrollment_id.to_string()),
        item_id: Set(item_id.to_string()),
        hidden: Set(false),
        viewed_at: Set(viewed.or(completed)),
        completed_at: Set(completed),
    };
    let mut update = vec![];
    if viewed.is_some() {
        update.push(item_states::Column::ViewedAt);
    }
    if completed.is_some() {
        update.push(item_states::Column::CompletedAt);
    }
    item_states::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([item_states::Column::EnrollmentId, item_states::Column::ItemId])
                .update_columns(update)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Marks a page read; idempotent, and only the first time notifies.
pub async fn complete_page(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    enrollment: &enrollments::Model,
    module: &Module,
    item: &Item,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if item.kind != ItemKind::Page {
        return Err(AppError::NotFound);
    }
    let progress = Progress::load(db, &enrollment.id).await?;
    if progress.is_done(item) {
        return Ok(());
    }
    upsert_item_state(db, &enrollment.id, &item.id, None, Some(now)).await?;
    usage::record(
        db,
        enrollment,
        Role::Patient,
        UsageEvent::new("page.completed").module(&module.id).item(&item.id),
        now,
    )
    .await?;
    digests::notify(db, enrollment, NotificationKind::PageCompleted, Some(&item.id), now).await?;
    item_done(db, content, enrollment, module, now).await
}

/// After an item is done: complete the module when everything in it is, and
/// open the next one when the enrollment unlocks automatically.
pub async fn item_done(
    db: &impl ConnectionTrait,
    content: &Catalogue,
    enrollment: &enrollments::Model,
    module: &Module,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let progress = Progress::load(db, &enrollment.id).await?;
    if progress.module_state(&module.id) != ModuleState::Open {
        return Ok(());
    }
    let finished = module
        .items
        .iter()
        .filter(|i| i.kind != ItemKind::Diary && !progress.is_hidden(&i.id))
        .all(|i| progress.is_done(i));
    if !finished {
        return Ok(());
    }
    set_state(db, &enrollment.id, &module.id, ModuleState::Completed, now).await?;
    usage::record(db, enrollment, Role::Patient, UsageEvent::new("module.completed").module(&module.id), now)
        .await?;
    digests::notify(db, enrollment, NotificationKind::ModuleCompleted, None, now).await?;
    if enrollment.auto_unlock {
        let program = program_of(content, enrollment)?;
        let next = program
            .modules
            .iter()
            .skip_while(|m| m.id != module.id)
            .skip(1)
            .find(|m| progress.module_state(&m.id) == ModuleState::Locked);
        if let Some(next) = next {
            set_state(db, &enrollment.id, &next.id, ModuleState::Open, now).await?;
            usage::record(
                db,
                enrollment,
                Role::Patient,
                UsageEvent::new("module.opened").module(&next.id),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Sets a module's state, stamping when it first opened or completed.
pub async fn set_state(
    db: &impl ConnectionTrait,
    enrollment_id: &str,
    module_id: &str,
    state: ModuleState,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let current = module_states::Entity::find_by_id((enrollment_id.to_string(), module_id.to_string()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let opened_at = match state {
        ModuleState::Open | ModuleState::Completed => current.opened_at.or(Some(now)),
        _ => current.opened_at,
    };
    // A skipped module is closed too: when the last one closes, the end
    // assessment falls due.
    let closed = matches!(state, ModuleState::Completed | ModuleState::Skipped);
    let completed_at = if closed { Some(now) } else { current.completed_at };
    if state == ModuleState::Open
        && current.state != ModuleState::Open
        && current.state != ModuleState::Completed
    {
        digests::notice_patient(db, enrollment_id, digests::PatientNotice::ModuleOpened, now).await?;
    }
    module_states::Entity::update_many()
        .col_expr(module_states::Column::State, state.as_str().into())
        .col_expr(module_states::Column::OpenedAt, opened_at.into())
        .col_expr(module_states::Column::CompletedAt, completed_at.into())
        .filter(module_states::Column::EnrollmentId.eq(enrollment_id))
        .filter(module_states::Column::ModuleId.eq(module_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The patient marks a page read (from the page or the API).
pub async fn mark_page_read(
    state: &crate::state::AppState,
    enrollment: &enrollments::Model,
    item_id: &str,
) -> AppResult<()> {
    let program = program_of(&state.content, enrollment)?;
    let progress = Progress::load(&state.db, &enrollment.id).await?;
    let (module, item) = open_item(program, &progress, item_id, Some(ItemKind::Page))?;
    let txn = sea_orm::TransactionTrait::begin(&state.db).await?;
    complete_page(&txn, &state.content, enrollment, module, item, state.clock.now()).await?;
    txn.commit().await?;
    Ok(())
}
