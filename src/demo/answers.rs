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

/// What a patient might write, by what the field asks (words in its id or
/// label, most specific first), so a demo record reads like a person's.
const ANSWERS: [(&[&str], &str); 27] = [
    (&["good day"], "Do one extra thing, not three."),
    (&["harder day"], "Keep to my basic plan and rest in between."),
    (&["against"], "Last week I did the shopping and felt fine afterwards."),
    (&["helpful", "realistic"], "A bad day does not mean it will always be like this."),
    (&["mind"], "If I keep going now I will be in bed for days."),
    (&["situation"], "Standing in the queue at the supermarket after work."),
    (&["feel", "emotion"], "Tense and a bit down."),
    (&["differently"], "Sit down for a moment before I carry on."),
    (&["body", "did you do"], "I stopped and went home; my shoulders were tight."),
    (&["stopped"], "Long walks with the dog, and cycling to work."),
    (&["step"], "Walk to the corner and back, three times this week."),
    (&["goal"], "Walk to the market on Saturday."),
    (&["whom"], "My sister."),
    (&["who", "help"], "My partner, and a neighbour who walks with me."),
    (&["warning"], "Skipping breaks and sleeping badly."),
    (&["setback", "situations"], "A busy week at work, or a birthday party."),
    (&["say", "words"], "I would like to come, but I need to leave by nine."),
    (&["nap"], "Sit in the garden for ten minutes with a cup of tea."),
    (&["hard"], "Bad nights. Then I still get up at the same time and rest after lunch."),
    (&["cost", "energy"], "Meetings, and working at the screen for long."),
    (&["gate", "opens"], "Stress, and sitting still for a long time."),
    (&["higher", "going on"], "A long day at my daughter's, with little rest."),
    (&["notice", "surprise"], "I spend most of my points in the morning."),
    (&["learn", "afterwards"], "It went better than I feared; they understood."),
    (&["keep doing", "balance"], "Short breaks every hour and a walk each day."),
    (&["days and tasks"], "Monday and Thursday mornings: the filing."),
    (&["remember", "anything"], "Rested after lunch before it got bad."),
];

/// Activities for the rows of a diary or plan.
const ACTIVITIES: [&str; 6] = [
    "Short walk",
    "Grocery shopping",
    "Cooking dinner",
    "Reading",
    "Rest on the sofa",
    "Phone call with a friend",
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

/// What a field asks, in lower case: its id and its label.
fn asks(field: &Value) -> String {
    format!("{} {}", field["id"].as_str().unwrap_or_default(), field["label"].as_str().unwrap_or_default())
        .replace('_', " ")
        .to_lowercase()
}

fn text_for(asks: &str, rng: &mut impl Rng) -> &'static str {
    // A short "Activity" column of a diary or plan, not a question about one.
    if asks.contains("activit") && asks.len() < 24 {
        return ACTIVITIES.choose(rng).copied().unwrap_or(ACTIVITIES[0]);
    }
    ANSWERS
        .iter()
        .find(|(words, _)| words.iter().any(|w| asks.contains(w)))
        .map(|(_, answer)| *answer)
        .unwrap_or_else(|| TEXTS.choose(rng).copied().unwrap_or(TEXTS[0]))
}

/// Bed late in the evening, up in the morning.
fn time_for(asks: &str) -> &'static str {
    if asks.contains("bed") {
        "23:00"
    } else if asks.contains(" up") || asks.contains("wake") {
        "07:30"
    } else {
        "12:30"
    }
}

fn value_for(field: &Value, severity: f64, rng: &mut impl Rng) -> Value {
    let options: Vec<&Value> =
        field["options"].as_array().map(|o| o.iter().map(|o| &o["value"]).collect()).unwrap_or_default();
    let min = field["min"].as_f64().unwrap_or(0.0);
    let max = field["max"].as_f64().unwrap_or(min + 10.0);
    match field["type"].as_str().unwrap_or_default() {
        "text" | "long_text" => json!(text_for(&asks(field), rng)),
        "scale" => {
            let spread = rng.gen_range(-0.15..=0.15);
            let at = (severity + spread).clamp(0.0, 1.0);
            json!((min + (max - min) * at).round() as i64)
        }
        "duration_minutes" => {
            json!([20.0_f64, 30.0, 45.0, 60.0].choose(rng).copied().unwrap_or(30.0).clamp(min, max.max(min))
                as i64)
        }
        "number" => json!(min as i64),
        "single_choice" => options.first().map_or(Value::Null, |v| (*v).clone()),
        "multi_choice" | "checklist" => {
            json!(options.first().map(|v| vec![(*v).clone()]).unwrap_or_default())
        }
        "time" => json!(time_for(&asks(field))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fit_what_the_field_asks() {
        let mut rng = rand::rngs::mock::StepRng::new(0, 0);
        let field = |id: &str, label: &str, kind: &str| json!({"id": id, "label": label, "type": kind});
        let mind = fill(&[field("thought", "What went through your mind?", "long_text")], 0.5, &mut rng);
        assert_eq!(mind["thought"], "If I keep going now I will be in bed for days.");
        let sleep = fill(
            &[
                field("bedtime", "What time did you go to bed?", "time"),
                field("get_up_time", "What time did you get up this morning?", "time"),
            ],
            0.5,
            &mut rng,
        );
        assert_eq!(
            (sleep["bedtime"].as_str(), sleep["get_up_time"].as_str()),
            (Some("23:00"), Some("07:30"))
        );
    }
}
