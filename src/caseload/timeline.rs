//! The patient's timeline for the record page: diary entries, assignments,
//! questionnaires, messages, contacts and pages read, newest first.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

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
};

/// One thing on the timeline, newest first.
#[derive(Serialize)]
pub(super) struct Event {
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub title: String,
    /// Label–answer pairs, already as text.
    pub lines: Vec<(String, String)>,
    pub new: bool,
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
            title: format!("{} — {}", labels.title(&entry.diary_id).unwrap_or_default(), entry.entry_date),
            lines: labels.lines(&entry.diary_id, &entry.entry_values),
            new: false,
        });
    }
    for submission in assignments::service::submitted(&state.db, &enrollment.id).await? {
        events.push(Event {
            at: submission.submitted_at.unwrap_or(submission.updated_at),
            kind: "assignment",
            title: labels.title(&submission.item_id).unwrap_or_default(),
            lines: labels.lines(&submission.item_id, &submission.answers),
            new: false,
        });
    }
    events.extend(questionnaire_events(state, enrollment).await?);
    events.extend(message_and_contact_events(state, enrollment).await?);
    for item in current.items.values() {
        if let (Some(done), Some(title)) = (item.completed_at, labels.title(&item.item_id)) {
            events.push(Event { at: done, kind: "page", title, lines: vec![], new: false });
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

    fn label(&self, item_id: &str, field: &str) -> String {
        self.item(item_id)
            .and_then(|i| match &i.body {
                ItemBody::Form(form) => form.fields.iter().find(|f| f.id == field).map(|f| f.label.clone()),
                ItemBody::Page(_) => None,
            })
            .unwrap_or_else(|| field.to_string())
    }

    /// Label–answer pairs of stored answers.
    fn lines(&self, item_id: &str, json: &str) -> Vec<(String, String)> {
        let values: serde_json::Map<String, Value> = serde_json::from_str(json).unwrap_or_default();
        values.iter().map(|(k, v)| (self.label(item_id, k), show(v))).collect()
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
        events.push(Event {
            at: response.submitted_at,
            kind: "questionnaire",
            title,
            lines: detail,
            new: false,
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
        events.push(Event { at: message.sent_at, kind, title: String::new(), lines, new: false });
    }
    for contact in super::contacts::list(&state.db, &enrollment.id).await? {
        let at = contact.held_on.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        let mut lines = vec![("Minutes".to_string(), contact.minutes.to_string())];
        lines.extend(contact.note.map(|n| ("Note".to_string(), n)));
        events.push(Event { at, kind: "contact", title: contact.kind.replace('_', " "), lines, new: false });
    }
    Ok(events)
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .map(|f| if f.fract() == 0.0 { format!("{}", f as i64) } else { f.to_string() })
            .unwrap_or_default(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map.values().map(show).collect::<Vec<_>>().join(" · "),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
    }
}
