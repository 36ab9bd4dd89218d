//! Stored answers as a person reads them: in the form's order, under the
//! labels the patient saw, choices by their label, repeatable rows as a table
//! with column headings. The patient's read view of a sent assignment and the
//! therapist's record both show answers this way.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::content::model::{Field, FieldType};

/// One answered field.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AnswerView {
    pub label: String,
    /// The answer as text; `None` for a table.
    pub text: Option<String>,
    pub table: Option<AnswerTable>,
}

/// Repeatable rows: a heading per column, a cell per column in each row.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct AnswerTable {
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The answered fields of `fields`, in their order; unanswered ones are left
/// out. Answers to fields the form no longer has (an older content version)
/// follow, under their id, so nothing the patient wrote is hidden.
pub fn answer_views(fields: &[Field], answers: &Map<String, Value>) -> Vec<AnswerView> {
    let mut views: Vec<AnswerView> = fields
        .iter()
        .filter_map(|field| answers.get(&field.id).filter(|v| answered(v)).map(|v| view(field, v)))
        .collect();
    let unknown = answers.iter().filter(|(id, v)| answered(v) && !fields.iter().any(|f| &f.id == *id));
    views.extend(unknown.map(|(id, v)| AnswerView { label: id.clone(), text: Some(plain(v)), table: None }));
    views
}

/// Answers stored as JSON text; unreadable JSON shows as no answers.
pub fn answer_views_of(fields: &[Field], json: &str) -> Vec<AnswerView> {
    answer_views(fields, &serde_json::from_str(json).unwrap_or_default())
}

fn view(field: &Field, value: &Value) -> AnswerView {
    if field.kind == FieldType::Rows {
        let rows = value.as_array().map(Vec::as_slice).unwrap_or_default();
        let table = AnswerTable {
            headings: field.columns.iter().map(|c| c.label.clone()).collect(),
            rows: rows
                .iter()
                .map(|row| {
                    field
                        .columns
                        .iter()
                        .map(|c| row.get(&c.id).map(|v| cell(c, v)).unwrap_or_default())
                        .collect()
                })
                .collect(),
        };
        return AnswerView { label: field.label.clone(), text: None, table: Some(table) };
    }
    AnswerView { label: field.label.clone(), text: Some(cell(field, value)), table: None }
}

/// One value as text, by the field's type.
fn cell(field: &Field, value: &Value) -> String {
    let option = |v: &Value| {
        let code = plain(v);
        field.options.iter().find(|o| o.value == code).map_or(code, |o| o.label.clone())
    };
    match field.kind {
        FieldType::SingleChoice => option(value),
        FieldType::MultiChoice | FieldType::Checklist => match value {
            Value::Array(items) => items.iter().map(option).collect::<Vec<_>>().join(", "),
            other => option(other),
        },
        FieldType::Scale => match (field.min, field.max) {
            (Some(_), Some(max)) => format!("{} / {}", plain(value), number(max)),
            _ => plain(value),
        },
        FieldType::DurationMinutes => format!("{} min", plain(value)),
        FieldType::Number => match &field.unit {
            Some(unit) => format!("{} {unit}", plain(value)),
            None => plain(value),
        },
        _ => plain(value),
    }
}

fn number(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map(number).unwrap_or_default(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map.values().map(plain).collect::<Vec<_>>().join(" · "),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
    }
}

fn answered(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::content::{Catalogue, ItemBody};

    fn fields(program: &str, item: &str) -> Vec<Field> {
        let catalogue =
            Catalogue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("modules-content")).unwrap();
        match &catalogue.item(program, item).unwrap().1.body {
            ItemBody::Form(form) => form.fields.clone(),
            ItemBody::Page(_) => panic!("{item} is a page"),
        }
    }

    #[test]
    fn answers_follow_the_form_with_its_labels() {
        let fields = fields("chronic-fatigue", "fatigue-my-goals");
        // Stored in id order, as JSON objects are: the view is in form order.
        let stored = json!({"confidence": 6, "first_step": "Walk ten minutes", "goal": "Market on Saturday",
                            "areas": ["friends", "household"], "importance": 9, "second_goal": ""});
        let views = answer_views(fields.as_slice(), stored.as_object().unwrap());
        let shown: Vec<(&str, &str)> =
            views.iter().map(|v| (v.label.as_str(), v.text.as_deref().unwrap())).collect();
        assert_eq!(
            shown,
            [
                (
                    "In which areas of your life does fatigue get in the way most?",
                    "Friends and social life, Household tasks"
                ),
                ("What would you like to be able to do by the end of the course?", "Market on Saturday"),
                ("How important is this goal to you?", "9 / 10"),
                ("What is a small first step towards this goal?", "Walk ten minutes"),
                ("How confident are you that you can take this first step?", "6 / 10"),
            ]
        );
    }

    #[test]
    fn rows_are_a_table_with_column_headings() {
        let fields = fields("chronic-pain", "pain-activity-diary");
        let stored = json!({"activities": [{"activity": "Walk", "duration_minutes": 20, "how_it_went": 8},
                                            {"activity": "Rest", "duration_minutes": 30}]});
        let views = answer_views(fields.as_slice(), stored.as_object().unwrap());
        let table = views[0].table.as_ref().expect("a table");
        assert_eq!(views[0].text, None);
        assert_eq!(table.headings[0], "Activity");
        assert_eq!(table.rows, [vec!["Walk", "20 min", "8 / 10"], vec!["Rest", "30 min", ""]]);
    }

    #[test]
    fn answers_the_form_no_longer_has_are_kept() {
        let fields = fields("chronic-pain", "pain-activity-diary");
        let views = answer_views_of(fields.as_slice(), r#"{"old_question": "still here"}"#);
        assert_eq!(
            views,
            [AnswerView { label: "old_question".into(), text: Some("still here".into()), table: None }]
        );
    }
}
