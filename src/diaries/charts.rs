//! The diary at a glance: the last 14 days, and a small SVG line chart per
//! charted field, drawn on the server (no script).

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use serde_json::Value;

use crate::{content::model::Form, entities::diary_entries};

pub const DAYS: i64 = 14;
const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 140.0;
const PAD: f64 = 24.0;

#[derive(Serialize)]
pub struct DayRow {
    pub date: String,
    pub filled: bool,
    pub summary: String,
}

/// One row per day, newest first.
pub fn history(form: &Form, entries: &[diary_entries::Model], today: NaiveDate) -> Vec<DayRow> {
    (0..DAYS)
        .map(|back| {
            let date = today - Duration::days(back);
            let entry = entries.iter().find(|e| e.entry_date == date);
            let summary = entry.map(|e| summarize(form, e)).unwrap_or_default();
            DayRow { date: date.to_string(), filled: entry.is_some(), summary }
        })
        .collect()
}

fn values(entry: &diary_entries::Model) -> serde_json::Map<String, Value> {
    serde_json::from_str(&entry.entry_values).unwrap_or_default()
}

fn summarize(form: &Form, entry: &diary_entries::Model) -> String {
    let values = values(entry);
    form.chart
        .iter()
        .filter_map(|id| {
            let field = form.fields.iter().find(|f| &f.id == id)?;
            let value = values.get(id)?.as_f64()?;
            Some(format!("{}: {}", field.label, value))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Serialize)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub value: f64,
    pub date: String,
}

#[derive(Serialize)]
pub struct Chart {
    pub label: String,
    pub min: f64,
    pub max: f64,
    pub width: f64,
    pub height: f64,
    /// `points` of the SVG polyline.
    pub line: String,
    pub dots: Vec<Dot>,
    pub from: String,
    pub to: String,
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
}

/// A chart per charted field over the last 14 days.
pub fn charts(form: &Form, entries: &[diary_entries::Model], today: NaiveDate) -> Vec<Chart> {
    let first = today - Duration::days(DAYS - 1);
    form.chart
        .iter()
        .filter_map(|id| form.fields.iter().find(|f| &f.id == id))
        .map(|field| {
            let (min, max) =
                (field.min.unwrap_or(0.0), field.max.unwrap_or(10.0).max(field.min.unwrap_or(0.0) + 1.0));
            let mut dots: Vec<Dot> = entries
                .iter()
                .filter(|e| e.entry_date >= first && e.entry_date <= today)
                .filter_map(|e| {
                    let value = values(e).get(&field.id)?.as_f64()?;
                    let day = (e.entry_date - first).num_days() as f64;
                    let x = PAD + day * (WIDTH - 2.0 * PAD) / (DAYS - 1) as f64;
                    let y = HEIGHT - PAD - (value - min) / (max - min) * (HEIGHT - 2.0 * PAD);
                    Some(Dot { x: round(x), y: round(y), value, date: e.entry_date.to_string() })
                })
                .collect();
            dots.sort_by(|a, b| a.date.cmp(&b.date));
            Chart {
                label: field.label.clone(),
                min,
                max,
                width: WIDTH,
                height: HEIGHT,
                line: dots.iter().map(|d| format!("{},{}", d.x, d.y)).collect::<Vec<_>>().join(" "),
                dots,
                from: first.to_string(),
                to: today.to_string(),
                top: PAD,
                bottom: HEIGHT - PAD,
                left: PAD,
                right: WIDTH - PAD,
            }
        })
        .collect()
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
