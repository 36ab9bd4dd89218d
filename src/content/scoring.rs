//! Scoring a questionnaire: the sum, its severity band and any risk rule the
//! answers trip.

use serde_json::{Map, Value};

use super::model::{Band, Questionnaire, RiskRule};
use crate::error::FieldErrors;

#[derive(Clone, Debug)]
pub struct Scored {
    pub score: i64,
    pub band: Band,
    /// Risk rules the answers trip; each raises an urgent alert.
    pub risks: Vec<RiskRule>,
    /// The answers as stored: item id → chosen value.
    pub answers: Map<String, Value>,
}

/// Every item must be answered with one of the instrument's values.
pub fn score(questionnaire: &Questionnaire, answers: &Map<String, Value>) -> Result<Scored, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut total = 0;
    let mut stored = Map::new();
    for item in &questionnaire.items {
        let value =
            answers.get(&item.id).and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()));
        match value.filter(|v| questionnaire.options.iter().any(|o| o.value == *v)) {
            Some(v) => {
                total += v;
                stored.insert(item.id.clone(), Value::from(v));
            }
            None => {
                errors.entry(item.id.clone()).or_default().push("Choose one of the answers.".into());
            }
        }
    }
    for key in answers.keys() {
        if !questionnaire.items.iter().any(|i| &i.id == key) {
            errors
                .entry(key.clone())
                .or_default()
                .push("This is not a question of this questionnaire.".into());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let Some(band) = band_for(questionnaire, total).cloned() else {
        errors.insert("answers".into(), vec![format!("The score {total} is outside every band.")]);
        return Err(errors);
    };
    let risks = questionnaire
        .risk
        .iter()
        .filter(|rule| stored.get(&rule.item).and_then(Value::as_i64).is_some_and(|v| v > rule.above))
        .cloned()
        .collect();
    Ok(Scored { score: total, band, risks, answers: stored })
}

/// The band holding `score` (loading checks that the bands cover the range).
pub fn band_for(questionnaire: &Questionnaire, score: i64) -> Option<&Band> {
    questionnaire.bands.iter().find(|b| (b.min..=b.max).contains(&score))
}
