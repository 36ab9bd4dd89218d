//! Checking answers to an assignment or diary against its fields. The same
//! rules serve the JSON API and the HTML forms; errors name the field (and,
//! inside rows, `field.row.column`, rows counted from 1).

use chrono::{NaiveDate, NaiveTime};
use serde_json::{Map, Value};

use super::model::{Field, FieldType};
use crate::error::FieldErrors;

/// Whether required fields must be filled: not for a saved draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    Final,
    Draft,
}

/// The answers, cleaned (trimmed, numbers as numbers, empty ones dropped),
/// or every problem at once.
pub fn validate(
    fields: &[Field],
    answers: &Map<String, Value>,
    completeness: Completeness,
) -> Result<Map<String, Value>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let clean = check_fields(fields, answers, completeness, "", &mut errors);
    for key in answers.keys() {
        if !fields.iter().any(|f| &f.id == key) {
            push(&mut errors, key, "This is not a field of this form.");
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

fn push(errors: &mut FieldErrors, key: &str, message: impl Into<String>) {
    errors.entry(key.to_string()).or_default().push(message.into());
}

fn check_fields(
    fields: &[Field],
    answers: &Map<String, Value>,
    completeness: Completeness,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Map<String, Value> {
    let mut clean = Map::new();
    for field in fields {
        let key = format!("{prefix}{}", field.id);
        match answers.get(&field.id).filter(|v| !is_empty(v)) {
            None if field.required && completeness == Completeness::Final => {
                push(errors, &key, "Please fill this in.");
            }
            None => {}
            Some(value) => {
                if let Some(v) =
                    check_value(field, value, completeness, &key, errors).filter(|v| !is_empty(v))
                {
                    clean.insert(field.id.clone(), v);
                }
            }
        }
    }
    clean
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn check_value(
    field: &Field,
    value: &Value,
    completeness: Completeness,
    key: &str,
    errors: &mut FieldErrors,
) -> Option<Value> {
    let result = match field.kind {
        FieldType::Text | FieldType::LongText => text(field, value),
        FieldType::Scale | FieldType::Number | FieldType::DurationMinutes => number(field, value),
        FieldType::SingleChoice => choice(field, value).map(Value::String),
        FieldType::MultiChoice | FieldType::Checklist => choices(field, value),
        FieldType::Time => as_text(value)
            .and_then(|s| {
                NaiveTime::parse_from_str(s.trim(), "%H:%M").ok().map(|t| t.format("%H:%M").to_string())
            })
            .map(Value::String)
            .ok_or_else(|| "Enter a time such as 07:30.".to_string()),
        FieldType::Date => as_text(value)
            .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
            .map(|d| Value::String(d.to_string()))
            .ok_or_else(|| "Enter a date such as 2026-03-02.".to_string()),
        FieldType::Rows => return rows(field, value, completeness, key, errors),
    };
    match result {
        Ok(v) => Some(v),
        Err(message) => {
            push(errors, key, message);
            None
        }
    }
}

fn as_text(value: &Value) -> Option<&str> {
    value.as_str()
}

fn text(field: &Field, value: &Value) -> Result<Value, String> {
    let text = as_text(value).ok_or("Enter text here.")?.trim();
    let limit = field.max_length.unwrap_or(if field.kind == FieldType::LongText { 5000 } else { 500 });
    let length = text.chars().count();
    if length > limit {
        return Err(format!("Please keep this to {limit} characters (now {length})."));
    }
    Ok(Value::String(text.to_string()))
}

fn number(field: &Field, value: &Value) -> Result<Value, String> {
    let n = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
    .ok_or("Enter a number.")?;
    let whole = field.kind != FieldType::Number || field.step.is_some_and(|s| s.fract() == 0.0);
    let min = field.min.unwrap_or(if field.kind == FieldType::DurationMinutes { 0.0 } else { f64::MIN });
    let max = field.max.unwrap_or(if field.kind == FieldType::DurationMinutes { 1440.0 } else { f64::MAX });
    if n < min || n > max {
        return Err(match (field.min, field.max) {
            (Some(_), Some(_)) | (None, None) => {
                format!("Choose a number from {} to {}.", show(min), show(max))
            }
            (Some(_), None) => format!("Choose a number of at least {}.", show(min)),
            (None, Some(_)) => format!("Choose a number of at most {}.", show(max)),
        });
    }
    if whole && n.fract() != 0.0 {
        return Err("Enter a whole number.".into());
    }
    if let Some(step) = field.step {
        let steps = (n - field.min.unwrap_or(0.0)) / step;
        if (steps - steps.round()).abs() > 1e-9 {
            return Err(format!("Use steps of {}.", show(step)));
        }
    }
    Ok(serde_json::Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null))
}

fn show(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn choice(field: &Field, value: &Value) -> Result<String, String> {
    let chosen = as_text(value).ok_or("Choose one of the options.")?.trim();
    if field.options.iter().any(|o| o.value == chosen) {
        Ok(chosen.to_string())
    } else {
        Err("Choose one of the options.".into())
    }
}

fn choices(field: &Field, value: &Value) -> Result<Value, String> {
    let list: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single @ Value::String(_) => vec![single],
        _ => return Err("Choose from the options.".into()),
    };
    let mut chosen: Vec<String> = Vec::new();
    for item in list {
        let value = choice(field, item)?;
        if !chosen.contains(&value) {
            chosen.push(value);
        }
    }
    // Keep the content's order, whatever order they arrived in.
    chosen.sort_by_key(|v| field.options.iter().position(|o| &o.value == v));
    Ok(Value::Array(chosen.into_iter().map(Value::String).collect()))
}

fn rows(
    field: &Field,
    value: &Value,
    completeness: Completeness,
    key: &str,
    errors: &mut FieldErrors,
) -> Option<Value> {
    let Some(list) = value.as_array() else {
        push(errors, key, "Add the rows as a list.");
        return None;
    };
    if list.iter().any(|v| !v.is_object() && !is_empty(v)) {
        push(errors, key, "Each row must be a set of answers.");
        return None;
    }
    // Rows left completely empty (spare rows in an HTML form) do not count,
    // but errors name a row by its place in the list as sent.
    let filled: Vec<(usize, &Map<String, Value>)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, row)| Some((i, row.as_object()?)))
        .filter(|(_, row)| row.values().any(|v| !is_empty(v)))
        .collect();
    if let Some(max) = field.max_rows.filter(|max| filled.len() > *max) {
        push(errors, key, format!("Use at most {max} rows."));
    }
    // An optional table left blank is not answered, as when it is missing.
    let min = field.min_rows.unwrap_or(usize::from(field.required));
    if completeness == Completeness::Final && filled.len() < min && (field.required || !filled.is_empty()) {
        push(errors, key, format!("Fill in at least {min} row{}.", if min == 1 { "" } else { "s" }));
    }
    let before = errors.len();
    let clean: Vec<Value> = filled
        .iter()
        .map(|&(i, row)| {
            let prefix = format!("{key}.{}.", i + 1);
            for column in row.keys() {
                if !field.columns.iter().any(|c| &c.id == column) {
                    push(errors, &format!("{prefix}{column}"), "This is not a column of this table.");
                }
            }
            Value::Object(check_fields(&field.columns, row, completeness, &prefix, errors))
        })
        .collect();
    if let Some(sum) = &field.sum {
        let total: f64 = clean.iter().filter_map(|row| row.get(&sum.column)?.as_f64()).sum();
        let complete = errors.len() == before;
        if complete && completeness == Completeness::Final && (total - sum.equals).abs() > 1e-9 {
            let label =
                field.columns.iter().find(|c| c.id == sum.column).map_or("The values", |c| c.label.as_str());
            push(errors, key, format!("{label} must add up to {} (now {}).", show(sum.equals), show(total)));
        }
    }
    Some(Value::Array(clean))
}
