//! HTML forms built from content fields: what a template needs to render each
//! field (with the patient's input and its errors), and turning a posted form
//! back into the answers the shared validator checks.
//!
//! Names: a field is posted as its id; choices with several answers repeat
//! the id; a cell of a `rows` field is `field.ROW.column`, rows from 1.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{
    content::model::{Field, FieldType},
    error::FieldErrors,
};

/// Everything a template needs for one input.
#[derive(Serialize)]
pub struct FieldView {
    pub name: String,
    pub dom_id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub required: bool,
    pub help: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub step: Option<f64>,
    pub min_label: Option<String>,
    pub max_label: Option<String>,
    pub unit: Option<String>,
    pub max_length: Option<usize>,
    /// The current value as text (single-valued inputs).
    pub value: String,
    pub options: Vec<OptionView>,
    /// Scale fields: every point of the scale.
    pub points: Vec<i64>,
    pub errors: Vec<String>,
    /// Rows fields: the column headings and the rows (filled ones plus spares).
    pub columns: Vec<String>,
    pub rows: Vec<Vec<FieldView>>,
}

#[derive(Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// Empty rows offered beyond the filled ones, for adding rows without script.
const SPARE_ROWS: usize = 3;

pub fn views(fields: &[Field], values: &Map<String, Value>, errors: &FieldErrors) -> Vec<FieldView> {
    views_with_rows(fields, values, errors, None)
}

/// As `views`; `rows_wanted` (a rows field and a count) shows that field with
/// at least that many rows, for "add a row" without script.
pub fn views_with_rows(
    fields: &[Field],
    values: &Map<String, Value>,
    errors: &FieldErrors,
    rows_wanted: Option<&(String, usize)>,
) -> Vec<FieldView> {
    fields
        .iter()
        .map(|f| {
            let mut shown = view(f, values.get(&f.id), errors, &f.id);
            if let Some((_, wanted)) = rows_wanted.filter(|(name, _)| *name == f.id) {
                let max = f.max_rows.unwrap_or(20).max(shown.rows.len());
                while shown.rows.len() < (*wanted).min(max) {
                    let n = shown.rows.len() + 1;
                    let row = f
                        .columns
                        .iter()
                        .map(|c| view(c, None, errors, &format!("{}.{n}.{}", f.id, c.id)))
                        .collect();
                    shown.rows.push(row);
                }
            }
            shown
        })
        .collect()
}

fn view(field: &Field, value: Option<&Value>, errors: &FieldErrors, name: &str) -> FieldView {
    let text = shown_text(value);
    let chosen: Vec<String> = match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let points = if field.kind == FieldType::Scale {
        let (min, max) = (field.min.unwrap_or(0.0) as i64, field.max.unwrap_or(10.0) as i64);
        (min..=max).collect()
    } else {
        Vec::new()
    };
    let rows = if field.kind == FieldType::Rows { row_views(field, value, errors, name) } else { Vec::new() };
    FieldView {
        dom_id: format!("f-{}", name.replace('.', "-")),
        name: name.to_string(),
        label: field.label.clone(),
        kind: field.kind,
        required: field.required,
        help: field.help.clone(),
        min: field.min,
        max: field.max,
        step: field.step,
        min_label: field.min_label.clone(),
        max_label: field.max_label.clone(),
        unit: field.unit.clone(),
        max_length: field.max_length,
        value: text,
        options: field
            .options
            .iter()
            .map(|o| OptionView {
                value: o.value.clone(),
                label: o.label.clone(),
                checked: chosen.contains(&o.value),
            })
            .collect(),
        points,
        errors: errors.get(name).cloned().unwrap_or_default(),
        columns: field.columns.iter().map(|c| c.label.clone()).collect(),
        rows,
    }
}

/// A stored answer as the text an input shows.
fn shown_text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => {
            let f = n.as_f64().unwrap_or_default();
            if f.fract() == 0.0 {
                format!("{}", f as i64)
            } else {
                f.to_string()
            }
        }
        _ => String::new(),
    }
}

/// The filled rows of a repeatable field and spare ones to add more, each a
/// view per column named `field.row.column`.
fn row_views(field: &Field, value: Option<&Value>, errors: &FieldErrors, name: &str) -> Vec<Vec<FieldView>> {
    let filled: Vec<&Map<String, Value>> = value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let max = field.max_rows.unwrap_or(20);
    let count = (filled.len() + SPARE_ROWS).max(field.min_rows.unwrap_or(1)).min(max.max(filled.len()));
    (0..count)
        .map(|n| {
            let row = filled.get(n).copied();
            field
                .columns
                .iter()
                .map(|c| {
                    view(c, row.and_then(|r| r.get(&c.id)), errors, &format!("{name}.{}.{}", n + 1, c.id))
                })
                .collect()
        })
        .collect()
}

/// A posted form as answers: `pairs` in the order the browser sent them.
/// Keys that are not fields (csrf, buttons) are left out.
pub fn answers_from_form(fields: &[Field], pairs: &[(String, String)]) -> Map<String, Value> {
    let mut answers = Map::new();
    let mut rows: BTreeMap<String, BTreeMap<usize, Map<String, Value>>> = BTreeMap::new();
    for (key, value) in pairs {
        if let Some((field_id, rest)) = key.split_once('.') {
            let Some(field) = fields.iter().find(|f| f.id == field_id && f.kind == FieldType::Rows) else {
                continue;
            };
            let Some((row, column)) = rest.split_once('.') else { continue };
            let (Ok(row), Some(column_def)) =
                (row.parse::<usize>(), field.columns.iter().find(|c| c.id == column))
            else {
                continue;
            };
            let cells = rows.entry(field_id.to_string()).or_default().entry(row).or_default();
            insert(cells, column_def, value);
            continue;
        }
        if let Some(field) = fields.iter().find(|f| &f.id == key) {
            insert(&mut answers, field, value);
        }
    }
    for (field_id, by_row) in rows {
        answers.insert(field_id, Value::Array(by_row.into_values().map(Value::Object).collect()));
    }
    answers
}

fn insert(into: &mut Map<String, Value>, field: &Field, value: &str) {
    if matches!(field.kind, FieldType::MultiChoice | FieldType::Checklist) {
        let entry = into.entry(field.id.clone()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(Value::String(value.to_string()));
        }
    } else {
        into.insert(field.id.clone(), Value::String(value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::ChoiceOption;

    fn field(id: &str, kind: FieldType) -> Field {
        Field {
            id: id.into(),
            label: id.into(),
            kind,
            required: false,
            min: None,
            max: None,
            step: None,
            min_label: None,
            max_label: None,
            unit: None,
            max_length: None,
            options: vec![ChoiceOption { value: "a".into(), label: "A".into() }],
            columns: vec![],
            min_rows: None,
            max_rows: None,
            sum: None,
            help: None,
        }
    }

    #[test]
    fn rows_and_repeated_choices_become_structured_answers() {
        let mut rows = field("plan", FieldType::Rows);
        rows.columns = vec![field("what", FieldType::Text), field("points", FieldType::Number)];
        let fields = vec![field("kinds", FieldType::Checklist), rows, field("note", FieldType::Text)];
        let pairs: Vec<(String, String)> = [
            ("csrf", "x"),
            ("kinds", "a"),
            ("kinds", "b"),
            ("plan.2.what", "Walk"),
            ("plan.1.what", "Work"),
            ("plan.1.points", "60"),
            ("note", "hi"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let answers = answers_from_form(&fields, &pairs);
        assert_eq!(answers["kinds"], serde_json::json!(["a", "b"]));
        assert_eq!(answers["plan"][0]["what"], "Work");
        assert_eq!(answers["plan"][1]["what"], "Walk");
        assert!(!answers.contains_key("csrf"));
    }
}
