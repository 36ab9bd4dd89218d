//! Loading assignment and diary forms and checking their fields.

use std::{collections::HashSet, path::Path};

use super::{
    loader::{valid_field_id, valid_id, Loader, Source},
    markdown,
    model::{ChoiceOption, Field, FieldType, Form, Item, ItemBody, ItemKind, SumRule},
    raw,
};

pub(super) fn load_form(loader: &mut Loader, rel: &Path, id: &str, expected: ItemKind) -> Option<Item> {
    let source = loader.read(rel)?;
    let file: raw::FormFile = loader.parse(&source)?;
    if file.kind.get_ref() != expected.as_str() {
        let message = format!("kind must be {:?} here (got {:?})", expected.as_str(), file.kind.get_ref());
        loader.at(&source, file.kind.span(), message);
    }
    if file.minutes == 0 {
        loader.error(rel, 1, "minutes must be at least 1");
    }
    if file.fields.is_empty() {
        loader.error(rel, 1, "a form needs at least one [[fields]] entry");
    }
    let fields = convert_fields(loader, &source, &file.fields, false);
    for chart in &file.chart {
        let charted = fields.iter().find(|f| &f.id == chart.get_ref());
        if expected != ItemKind::Diary {
            loader.at(&source, chart.span(), "only diaries have charts");
        } else if !charted.is_some_and(|f| matches!(f.kind, FieldType::Scale | FieldType::Number)) {
            loader.at(
                &source,
                chart.span(),
                format!("chart names {:?}, which is not a scale or number field", chart.get_ref()),
            );
        }
    }
    Some(Item {
        id: id.to_string(),
        kind: expected,
        title: file.title,
        minutes: file.minutes,
        body: ItemBody::Form(Form {
            intro_html: markdown::render(&file.intro),
            fields,
            chart: file.chart.into_iter().map(|c| c.into_inner()).collect(),
        }),
    })
}

fn convert_fields(loader: &mut Loader, source: &Source, raw: &[raw::FieldRaw], in_rows: bool) -> Vec<Field> {
    let mut seen = HashSet::new();
    let mut fields = Vec::new();
    for field in raw {
        if !valid_field_id(field.id.get_ref()) {
            let message = format!("{:?} is not a valid field id (a-z, 0-9 and _)", field.id.get_ref());
            loader.at(source, field.id.span(), message);
        }
        if !seen.insert(field.id.get_ref().clone()) {
            loader.at(
                source,
                field.id.span(),
                format!("field id {:?} is used twice in this form", field.id.get_ref()),
            );
        }
        if let Some(converted) = convert_field(loader, source, field, in_rows) {
            fields.push(converted);
        }
    }
    fields
}

fn convert_field(loader: &mut Loader, source: &Source, raw: &raw::FieldRaw, in_rows: bool) -> Option<Field> {
    let id = raw.id.get_ref();
    let Some(kind) = FieldType::parse(raw.kind.get_ref()) else {
        let message = format!(
            "unknown field type {:?}; use text, long_text, scale, number, single_choice, multi_choice, \
             checklist, time, duration_minutes, date or rows",
            raw.kind.get_ref()
        );
        loader.at(source, raw.kind.span(), message);
        return None;
    };
    check_numbers(loader, source, raw, kind);
    let options = convert_options(loader, source, raw, kind);
    let columns = convert_columns(loader, source, raw, kind, in_rows);
    let sum = raw.sum.as_ref().map(|sum| {
        let column = columns.iter().find(|c| &c.id == sum.column.get_ref());
        if !column.is_some_and(|c| c.kind.is_numeric()) {
            let message = format!(
                "sum names column {:?}, which is not a number column of {id:?}",
                sum.column.get_ref()
            );
            loader.at(source, sum.column.span(), message);
        }
        SumRule { column: sum.column.get_ref().clone(), equals: sum.equals }
    });
    Some(Field {
        id: id.clone(),
        label: raw.label.clone(),
        kind,
        required: raw.required,
        min: raw.min.as_ref().map(|m| *m.get_ref()),
        max: raw.max.as_ref().map(|m| *m.get_ref()),
        step: raw.step,
        min_label: raw.min_label.clone(),
        max_label: raw.max_label.clone(),
        unit: raw.unit.clone(),
        max_length: raw.max_length,
        options,
        columns,
        min_rows: raw.min_rows,
        max_rows: raw.max_rows,
        sum,
        help: raw.help.clone(),
    })
}

/// min, max and step: where they apply, and in order.
fn check_numbers(loader: &mut Loader, source: &Source, raw: &raw::FieldRaw, kind: FieldType) {
    let id = raw.id.get_ref();
    let at = |loader: &mut Loader, message: String| loader.at(source, raw.id.span(), message);
    if let (Some(min), Some(max)) = (&raw.min, &raw.max) {
        if min.get_ref() > max.get_ref() {
            let message =
                format!("field {id:?}: min {} is greater than max {}", min.get_ref(), max.get_ref());
            loader.at(source, min.span(), message);
        }
    }
    if kind == FieldType::Scale && (raw.min.is_none() || raw.max.is_none()) {
        at(loader, format!("scale field {id:?} needs min and max"));
    }
    if raw.step.is_some_and(|s| s <= 0.0) {
        at(loader, format!("field {id:?}: step must be above 0"));
    }
    if (raw.min.is_some() || raw.max.is_some()) && !kind.is_numeric() {
        at(loader, format!("field {id:?}: min and max apply to scale, number and duration_minutes fields"));
    }
}

/// The columns of a rows field; the settings of rows refused elsewhere.
fn convert_columns(
    loader: &mut Loader,
    source: &Source,
    raw: &raw::FieldRaw,
    kind: FieldType,
    in_rows: bool,
) -> Vec<Field> {
    let id = raw.id.get_ref();
    let at = |loader: &mut Loader, message: String| loader.at(source, raw.id.span(), message);
    if kind != FieldType::Rows {
        if !raw.columns.is_empty() || raw.sum.is_some() || raw.min_rows.is_some() || raw.max_rows.is_some() {
            at(loader, format!("field {id:?}: columns, sum, min_rows and max_rows belong to rows fields"));
        }
        return Vec::new();
    }
    if in_rows {
        at(loader, format!("field {id:?}: rows cannot hold rows"));
    }
    if raw.columns.is_empty() {
        at(loader, format!("rows field {id:?} needs [[fields.columns]]"));
    }
    let columns = convert_fields(loader, source, &raw.columns, true);
    if let (Some(min), Some(max)) = (raw.min_rows, raw.max_rows) {
        if min > max {
            at(loader, format!("field {id:?}: min_rows {min} is greater than max_rows {max}"));
        }
    }
    columns
}

fn convert_options(
    loader: &mut Loader,
    source: &Source,
    raw: &raw::FieldRaw,
    kind: FieldType,
) -> Vec<ChoiceOption> {
    let id = raw.id.get_ref();
    if kind.has_options() && raw.options.is_empty() {
        loader.at(source, raw.id.span(), format!("{} field {id:?} needs options", raw.kind.get_ref()));
    }
    if !kind.has_options() && !raw.options.is_empty() {
        loader.at(
            source,
            raw.id.span(),
            format!("field {id:?}: options belong to choice and checklist fields"),
        );
    }
    let mut seen = HashSet::new();
    raw.options
        .iter()
        .map(|option| {
            if !valid_id(option.value.get_ref()) {
                let message =
                    format!("option value {:?} is not valid (a-z, 0-9 and -)", option.value.get_ref());
                loader.at(source, option.value.span(), message);
            }
            if !seen.insert(option.value.get_ref().clone()) {
                loader.at(
                    source,
                    option.value.span(),
                    format!("option value {:?} is used twice", option.value.get_ref()),
                );
            }
            ChoiceOption { value: option.value.get_ref().clone(), label: option.label.clone() }
        })
        .collect()
}
