//! The patient's timeline for the record page: diary entries, assignments,
//! questionnaires, messages, contacts and pages read, newest first.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::accounts::Role;
use crate::{
    assignments,
    content::{ItemBody, Program},
    diaries,
    entities::enrollments,
    error::AppResult,
    messages,
    progress::service::Progress,
    questionnaires,
    state::AppState,
    web::answers::{answer_views_of, AnswerView},
};

/// One thing on the timeline, newest first.
#[derive(Serialize)]
pub(super) struct Event {
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub title: String,
    /// Label–text pairs: scores, notes, a message's body.
    pub lines: Vec<(String, String)>,
    /// A diary entry's or an assignment's answers, in the form's order.
    pub answers: Vec<AnswerView>,
    pub new: bool,
    /// The day a diary entry is about, shown in the reader's format.
    pub day: Option<chrono::NaiveDate>,
}

/// Everything the patient did, newest first.
pub(super) async fn timeline(
    state: &AppState,
    program: &Program,
    enrollment: &enrollments::Model,
    current: &Progress,
) -> AppResult<Vec<Event>> {
    let labels = Labels { program };
    let mut events = Vec::new();
    for entry in diaries::service::entries(&state.db, &enrollment.id, None, None).await? {
        events.push(Event {
            at: entry.created_at,
            kind: "diary",
            title: labels.title(&entry.diary_id).unwrap_or_default(),
            day: Some(entry.entry_date),
            lines: vec![],
            answers: labels.answers(&entry.diary_id, &entry.entry_values),
            new: false,
        });
    }
    for submission in assignments::service::submitted(&state.db, &enrollment.id).await? {
        events.push(Event {
            at: submission.submitted_at.unwrap_or(submission.updated_at),
            kind: "assignment",
            title: labels.title(&submission.item_id).unwrap_or_default(),
            lines: vec![],
            answers: labels.answers(&submission.item_id, &submission.answers),
            new: false,
            day: None,
        });
    }
    events.extend(questionnaire_events(state, enrollment).await?);
    events.extend(message_and_contact_events(state, enrollment).await?);
    for item in current.items.values() {
        if let (Some(done), Some(title)) = (item.completed_at, labels.title(&item.item_id)) {
            events.push(Event {
                at: done,
                kind: "page",
                title,
                lines: vec![],
                answers: vec![],
                new: false,
                day: None,
            });
        }
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    Ok(events)
}

/// Item titles and field labels of the patient's program.
struct Labels<'a> {
    program: &'a Program,
}

impl Labels<'_> {
    fn item(&self, item_id: &str) -> Option<&crate::content::Item> {
        self.program.modules.iter().flat_map(|m| &m.items).find(|i| i.id == item_id)
    }

    fn title(&self, item_id: &str) -> Option<String> {
        self.item(item_id).map(|i| i.title.clone())
    }

    /// Stored answers to the item's form, as the patient saw its fields.
    fn answers(&self, item_id: &str, json: &str) -> Vec<AnswerView> {
        let fields = self.item(item_id).map_or(&[][..], |i| match &i.body {
            ItemBody::Form(form) => form.fields.as_slice(),
            ItemBody::Page(_) => &[],
        });
        answer_views_of(fields, json)
    }
}

async fn questionnaire_events(state: &AppState, enrollment: &enrollments::Model) -> AppResult<Vec<Event>> {
    let mut events = Vec::new();
    for response in questionnaires::service::responses(&state.db, &enrollment.id).await? {
        let title = state
            .content
            .questionnaire(&response.questionnaire_id)
            .map(|q| q.title.clone())
            .unwrap_or_default();
        let mut detail = vec![("Score".to_string(), format!("{} ({})", response.score, response.band))];
        if response.risk {
            detail.push(("Risk".to_string(), "a risk answer — contact the patient".to_string()));
        }
        if let Some(handled_at) = response.risk_handled_at {
            events.push(Event {
                at: handled_at,
                kind: "risk_handled",
                title: title.clone(),
                lines: vec![("Note".to_string(), response.risk_note.clone().unwrap_or_default())],
                answers: vec![],
                new: false,
                day: None,
            });
        }
        events.push(Event {
            at: response.submitted_at,
            kind: "questionnaire",
            title,
            lines: detail,
            answers: vec![],
            new: false,
            day: None,
        });
    }
    Ok(events)
}

async fn message_and_contact_events(
    state: &AppState,
    enrollment: &enrollments::Model,
) -> AppResult<Vec<Event>> {
    let mut events = Vec::new();
    for message in messages::service::thread(&state.db, &enrollment.id).await? {
        let kind = if message.from_role == Role::Patient { "message" } else { "sent" };
        let lines = vec![(String::new(), message.body)];
        events.push(Event {
            at: message.sent_at,
            kind,
            title: String::new(),
            lines,
            answers: vec![],
            new: false,
            day: None,
        });
    }
    for contact in super::contacts::list(&state.db, &enrollment.id).await? {
        let at = contact.held_on.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        let mut lines = vec![("Minutes".to_string(), contact.minutes.to_string())];
        lines.extend(contact.note.map(|n| ("Note".to_string(), n)));
        events.push(Event {
            at,
            kind: "contact",
            title: contact.kind.label().to_string(),
            lines,
            answers: vec![],
            new: false,
            day: None,
        });
    }
    Ok(events)
}
