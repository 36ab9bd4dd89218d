//! The diary at a glance: the last 14 days, and a small SVG line chart per
//! charted field, drawn on the server (no script).

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use serde_json::Value;

use crate::{content::model::Form, entities::diary_entries};

pub const DAYS: i64 = 14;
const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 170.0;
const PAD: f64 = 28.0;
/// Room under the x axis for the dates and the axis title.
const PAD_BOTTOM: f64 = 44.0;

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

/// A labelled point on an axis: `at` is x or y in the drawing.
#[derive(Serialize)]
pub struct Tick {
    pub at: f64,
    pub label: String,
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
    /// The first and last day shown, ISO; templates print them as dates.
    pub from: String,
    pub to: String,
    /// Dates under the x axis (ISO), values beside the y axis.
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
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
                    let y = y_of(value, min, max);
                    Some(Dot { x: x_of(day), y, value, date: e.entry_date.to_string() })
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
                // A week apart: the first day, a week before today, today.
                x_ticks: [0, DAYS / 2, DAYS - 1]
                    .map(|day| Tick {
                        at: x_of(day as f64),
                        label: (first + Duration::days(day)).to_string(),
                    })
                    .into(),
                y_ticks: [min, (min + max) / 2.0, max]
                    .map(|value| Tick { at: y_of(value, min, max), label: number(value) })
                    .into(),
                top: PAD,
                bottom: HEIGHT - PAD_BOTTOM,
                left: PAD,
                right: WIDTH - PAD,
            }
        })
        .collect()
}

fn x_of(day: f64) -> f64 {
    round(PAD + day * (WIDTH - 2.0 * PAD) / (DAYS - 1) as f64)
}

fn y_of(value: f64, min: f64, max: f64) -> f64 {
    round(HEIGHT - PAD_BOTTOM - (value - min) / (max - min) * (HEIGHT - PAD - PAD_BOTTOM))
}

/// 5 rather than 5.0; 2.5 stays.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
