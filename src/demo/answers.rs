//! Plausible answers to any form, as the API describes its fields (API.md
//! "Form fields"). The simulated clinic and the tests fill forms with them.

use rand::{seq::SliceRandom, Rng};
use serde_json::{json, Map, Value};

/// Short texts a patient might write; never real patient data.
const TEXTS: [&str; 6] = [
    "Walk to the bakery on Saturday",
    "Rested after lunch before it got bad",
    "Went to the market with my sister",
    "Stretching in the morning helped",
    "Slept badly, took it easy",
    "Cooked dinner in two parts with a break",
];

/// Answers for every field. `severity` (0 = best, 1 = worst) places scale
/// answers, so a simulated patient can improve over the weeks.
pub fn fill(fields: &[Value], severity: f64, rng: &mut impl Rng) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|field| Some((field["id"].as_str()?.to_string(), value_for(field, severity, rng))))
        .collect()
}

/// The first allowed answer for every field: what a test needs to get past
/// validation, the same on every run.
pub fn minimal(fields: &[Value]) -> Map<String, Value> {
    fill(fields, 0.0, &mut rand::rngs::mock::StepRng::new(0, 0))
}

fn value_for(field: &Value, severity: f64, rng: &mut impl Rng) -> Value {
    let options: Vec<&Value> =
        field["options"].as_array().map(|o| o.iter().map(|o| &o["value"]).collect()).unwrap_or_default();
    let min = field["min"].as_f64().unwrap_or(0.0);
    let max = field["max"].as_f64().unwrap_or(min + 10.0);
    match field["type"].as_str().unwrap_or_default() {
        "text" | "long_text" => json!(TEXTS.choose(rng).copied().unwrap_or(TEXTS[0])),
        "scale" => {
            let spread = rng.gen_range(-0.15..=0.15);
            let at = (severity + spread).clamp(0.0, 1.0);
            json!((min + (max - min) * at).round() as i64)
        }
        "number" | "duration_minutes" => json!(min as i64),
        "single_choice" => options.first().map_or(Value::Null, |v| (*v).clone()),
        "multi_choice" | "checklist" => {
            json!(options.first().map(|v| vec![(*v).clone()]).unwrap_or_default())
        }
        "time" => json!("07:30"),
        "date" => json!("2026-03-02"),
        "rows" => {
            let columns = field["columns"].as_array().cloned().unwrap_or_default();
            let count = field["min_rows"].as_u64().unwrap_or(1).max(1);
            let mut rows: Vec<Value> =
                (0..count).map(|_| Value::Object(fill(&columns, severity, rng))).collect();
            // The whole total goes to the first row, so the column adds up.
            if let Some(column) = field["sum"]["column"].as_str() {
                for (n, row) in rows.iter_mut().enumerate() {
                    row[column] = if n == 0 { field["sum"]["equals"].clone() } else { json!(0) };
                }
            }
            Value::Array(rows)
        }
        _ => Value::Null,
    }
}
