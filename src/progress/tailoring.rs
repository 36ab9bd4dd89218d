//! Tailoring by the therapist: opening, locking or skipping a patient's
//! modules and hiding items from them.

use sea_orm::{sea_query::OnConflict, ActiveValue::Set, EntityTrait};

use super::service::{program_of, set_state, ModuleState};
use crate::{
    accounts::Role,
    entities::{enrollments, item_states},
    error::{AppError, AppResult},
    state::AppState,
    usage::{self, UsageEvent},
};

/// A therapist locks, opens or skips a module; completing is the patient's.
pub async fn change_module(
    state: &AppState,
    enrollment: &enrollments::Model,
    module_id: &str,
    to: ModuleState,
) -> AppResult<()> {
    let program = program_of(&state.content, enrollment)?;
    if !program.modules.iter().any(|m| m.id == module_id) {
        return Err(AppError::NotFound);
    }
    if to == ModuleState::Completed {
        return Err(AppError::field(
            "state",
            "Choose locked, open or skipped; a module is completed by the patient.",
        ));
    }
    let now = state.clock.now();
    let txn = sea_orm::TransactionTrait::begin(&state.db).await?;
    set_state(&txn, &enrollment.id, module_id, to, now).await?;
    let kind = match to {
        ModuleState::Open => "module.opened",
        ModuleState::Skipped => "module.skipped",
        _ => "module.locked",
    };
    usage::record(&txn, enrollment, Role::Therapist, UsageEvent::new(kind).module(module_id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// A therapist hides an item from one patient (or shows it again). Hidden
/// items do not count towards completing their module.
pub async fn set_hidden(
    state: &AppState,
    enrollment: &enrollments::Model,
    item_id: &str,
    hidden: bool,
) -> AppResult<()> {
    let program = program_of(&state.content, enrollment)?;
    let item =
        program.modules.iter().flat_map(|m| &m.items).find(|i| i.id == item_id).ok_or(AppError::NotFound)?;
    let row = item_states::ActiveModel {
        enrollment_id: Set(enrollment.id.clone()),
        item_id: Set(item.id.clone()),
        hidden: Set(hidden),
        viewed_at: Set(None),
        completed_at: Set(None),
    };
    item_states::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([item_states::Column::EnrollmentId, item_states::Column::ItemId])
                .update_column(item_states::Column::Hidden)
                .to_owned(),
        )
        .exec_without_returning(&state.db)
        .await?;
    let event = UsageEvent::new(if hidden { "item.hidden" } else { "item.shown" }).item(item_id);
    usage::record(&state.db, enrollment, Role::Therapist, event, state.clock.now()).await
}
